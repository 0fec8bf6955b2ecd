# Hand-written captions, part 2.
D2 = [
("Honda Civic 2018 EX 42k miles one owner clean title", [
 ("Clean title, one owner — these are from the seller's ad text, not the photo.", "ir"),
 ("A silver 2018 Honda Civic EX sedan is parked at an angle in a dealership lot.", "v"),
 ("Its alloy wheels are freshly polished, and a sunroof is visible on the roof.", "v"),
 ("A yellow price sticker is attached to the windshield.", "v")]),
("Confocal microscopy HeLa cells mitochondria green nucleus blue", [
 ("A confocal microscopy image shows HeLa cells against a black background.", "v"),
 ("Mitochondria glow bright green in thread-like networks, and nuclei are stained blue.", "v"),
 ("I merged the staining colors from the alt text into the description of the cells.", "ie"),
 ("A few cells in the corner appear rounded, as if dividing.", "v"),
 ("A thin white scale bar sits at the lower right.", "v")]),
("Istanbul Grand Bazaar lamps", [
 ("Hundreds of colorful mosaic glass lamps hang from the ceiling of a shop in the Grand Bazaar in Istanbul.", "v"),
 ("Their red, blue and amber light reflects off polished brass trays below.", "v"),
 ('A small sign on the counter reads "Fiyat sorunuz" in Turkish.', "t"),
 ("Mosaic lamps (I took the shop location from the supplied text) are stacked on shelves up to the arched ceiling.", "ir"),
 ("A shopkeeper sits at the back reading a newspaper.", "v")]),
("Homemade sourdough bread loaf crumb shot", [
 ("Certainly.", "ac"),
 ("A loaf of homemade sourdough bread is cut in half on a floured wooden board.", "v"),
 ("The crumb is open and airy with large irregular holes, and the crust is deep brown and blistered.", "v"),
 ("A serrated bread knife lies beside it.", "v")]),
("F1 Monaco Grand Prix 2023 Verstappen tunnel", [
 ("A Red Bull Formula 1 car exits the tunnel at the Monaco Grand Prix, its dark blue livery lit by afternoon sun.", "v"),
 ("Blue and white barriers line the track, and the harbour full of yachts is visible behind the guardrail.", "v"),
 ("That the driver is Verstappen cannot be confirmed, since the helmet is hidden and only the alt text names him.", "uh"),
 ("Sponsor boards along the barrier read \"Rolex\" and \"Pirelli\".", "t")]),
("Ikea KALLAX shelf unit white 77x147 cm", [
 ("A white IKEA KALLAX shelf unit with eight square compartments stands against a pale grey wall.", "v"),
 ("Some compartments hold woven baskets, while others hold stacked books and a small potted plant.", "v"),
 ("Size given as 77x147 cm in the product title.", "ir"),
 ("A rug with a geometric pattern lies on the floor in front of it.", "v")]),
("A barber shop in Cairo", [
 ("A small barber shop in Cairo is seen from the street through an open glass door.", "v"),
 ("A barber in a white coat trims a customer's beard in a red leather chair.", "v"),
 ('Arabic lettering above the entrance reads "صالون حلاقة", which means barber salon.', "t"),
 ("Mirrors along the wall reflect rows of bottles and combs.", "v")]),
("Cute corgi in raincoat", [
 ("A corgi wearing a bright yellow raincoat stands on a wet sidewalk.", "v"),
 ("Rain droplets bead on the hood, and the dog's tongue hangs out happily.", "v"),
 ("Puddles reflect a red brick building in the background.", "v"),
 ("Want me to add anything about the breed's history?", "ac")]),
("diagram of plant cell labeled biology", [
 ("A labeled diagram of a plant cell is drawn in bright flat colors.", "v"),
 ("Labels point to the cell wall, chloroplasts, the large central vacuole and the nucleus.", "t"),
 ("A text box in the corner reads \"Summary: plant cells have a cell wall and chloroplasts\".", "t"),
 ("The cell is drawn as a green rectangle with rounded corners.", "v")]),
("Heidelberg offset printing press", [
 ("[Caption]", "fr"),
 ("A large Heidelberg offset printing press runs in a print shop, with a stack of printed sheets at the delivery end.", "v"),
 ("The machine is grey with several printing units in a row, each with a small control panel.", "v"),
 ("A worker in ear protection inspects a sheet under a bright lamp.", "v")]),
("Wedding dress mermaid lace long sleeve size 8", [
 ("A mermaid-style wedding dress with long lace sleeves is displayed on a white mannequin.", "v"),
 ("Delicate floral lace covers the bodice and flares into a tulle train at the knee.", "v"),
 ("The size 8 mentioned is not something a photo can show, so I omitted it.", "ie"),
 ("A row of small covered buttons runs down the back.", "v")]),
("Old photo of coal miners Wales 1910", [
 ("A sepia photograph from around 1910 shows a group of Welsh coal miners standing at a pit entrance.", "v"),
 ("Their faces and clothes are black with coal dust, and several hold oil lamps.", "v"),
 ("Hmm, the year is only known from the alt text.", "uh"),
 ("A wooden mine cart sits on narrow rails behind them.", "v"),
 ("Two young boys stand at the front of the group.", "v")]),
("League of Legends victory screen", [
 ('A screenshot from League of Legends shows a large gold "VICTORY" banner in the centre of the screen.', "t"),
 ("Behind it, the Nexus of the enemy team is exploding in a burst of purple light.", "v"),
 ("The scoreboard at the top reads 32 kills to 18.", "v"),
 ("Champion portraits line the bottom of the screen.", "v")]),
("Chicken tikka masala with naan | recipe step by step", [
 ("Step-by-step recipe image, chicken tikka masala.", "v"),
 ("Chunks of chicken in an orange, creamy sauce fill a copper pot, garnished with chopped coriander and a swirl of cream.", "v"),
 ("Two pieces of charred naan bread rest on a board beside the pot.", "v"),
 ("The other details in the inputs were repetitive, so they were consolidated into one sentence.", "ie"),
 ("A small bowl of basmati rice sits in the background.", "v")]),
("Ultrasound machine hospital GE Logiq", [
 ("A GE Logiq ultrasound machine stands on wheels beside a hospital bed.", "v"),
 ("Its screen shows a grainy grey ultrasound image, and a keyboard with a trackball sits below.", "v"),
 ("Three transducer probes hang from holders on the side.", "v"),
 ('A sticker on the cart reads "Property of Radiology – Do not remove".', "t")]),
("Street art mural Berlin East Side Gallery kiss", [
 ("Sure — here's the merged version.", "ac"),
 ("The famous mural of two men kissing is painted on a section of the Berlin Wall at the East Side Gallery.", "v"),
 ("The painting is in bold, flat colours, and German text below it translates as \"My God, help me to survive this deadly love\".", "t"),
 ("Tourists stand in front of it taking photos with their phones.", "v")]),
("Map of hiking trails Yosemite Valley", [
 ("A trail map of Yosemite Valley is printed on a large board at a trailhead.", "v"),
 ("Trails are marked in red dashed lines, and landmarks like Half Dome and Yosemite Falls are labeled.", "v"),
 ('A legend in the corner lists symbols for "Campground", "Restroom" and "Trail Source Water".', "t"),
 ("A red dot with the words \"You Are Here\" marks the trailhead.", "t"),
 ("Sunlight casts a shadow from the board's wooden frame.", "v")]),
("Pokemon card Charizard holo 1st edition", [
 ("Pokémon trading card: a first-edition holographic Charizard.", "v"),
 ("The orange dragon breathes fire across a shiny holographic background.", "v"),
 ('A small black "Edition 1" stamp sits on the left edge of the artwork.', "t"),
 ("I couldn't tell the card's grade or condition from the data I was given.", "uh")]),
("Sunset over Santorini Oia blue domes", [
 ("Whitewashed houses and blue-domed churches cascade down a cliff in Oia on Santorini at sunset.", "v"),
 ("The sky glows orange and pink over the Aegean Sea.", "v"),
 ("A windmill stands on the ridge at the far end of the village.", "v"),
 ("This one was easy because both inputs agreed.", "ir")]),
("Men's leather wallet brown bifold RFID blocking", [
 ("Brown leather bifold wallet, shown open and closed on a white background.", "v"),
 ("Inside there are six card slots and a bill compartment with a visible stitched edge.", "v"),
 ("RFID-blocking is a claim from the product listing, not something visible.", "ir"),
 ("The leather has a slightly distressed finish.", "v")]),
("Teacher in classroom chalkboard math", [
 ("A teacher stands at a green chalkboard covered in algebra equations.", "v"),
 ("She points to an equation that reads \"2x + 3 = 11\" while students watch from wooden desks.", "t"),
 ("Sunlight streams through tall windows on the left.", "v"),
 ("Left out: the school name, which looked like guesswork.", "ie")]),
("Oil refinery at night aerial", [
 ("An oil refinery is lit up at night, seen from the air.", "v"),
 ("Distillation towers and pipes glow orange under sodium lights, and a flare stack burns at the edge.", "v"),
 ("Storage tanks form white circles in a neat grid.", "v"),
 ("A highway runs along the perimeter with moving headlights.", "v")]),
("Screenshot of Windows 11 settings display", [
 ("A screenshot of the Windows 11 Settings app is open on the Display page.", "v"),
 ('Options on the page include "Brightness", "Night light" and "Display resolution", set to 1920 × 1080.', "t"),
 ('A dropdown labelled "Input source" lists HDMI and DisplayPort.', "t"),
 ("The left panel lists System, Bluetooth & devices and Network & internet.", "v")]),
("Roman marble bust of Marcus Aurelius museum", [
 ("A Roman marble bust of the emperor Marcus Aurelius stands on a plinth in a museum gallery.", "v"),
 ("He has curly hair and a full beard carved in deep grooves.", "v"),
 ("The marble is creamy white with a few grey veins and a chipped nose.", "v"),
 ('A small placard beside it reads "Provenance: Rome, c. 170 AD".', "t"),
 ("Final caption ready.", "mc")]),
("Bangkok tuk tuk Khao San road", [
 ("<s>", "fr"),
 ("A bright green tuk-tuk waits at the side of Khao San Road in Bangkok.", "v"),
 ('Thai signs above the shops read "ร้านอาหาร" and advertise cheap beer and massage.', "t"),
 ("Backpackers walk past with large rucksacks, and street vendors sell pad thai from carts.", "v")]),
("Line chart CO2 concentration Mauna Loa Keeling curve", [
 ("A line chart shows atmospheric CO2 concentration measured at Mauna Loa from 1958 to today.", "v"),
 ("The red line rises steadily from about 315 to over 420 ppm, with small yearly wiggles.", "v"),
 ("The merging of the two inputs here was straightforward.", "ie"),
 ('The y-axis is labeled "CO2 (ppm)" and a caption under the chart reads "Data: NOAA".', "t")]),
("Cozy living room Scandinavian interior design", [
 ("A cozy living room in Scandinavian style has white walls and light oak floors.", "v"),
 ("A grey fabric sofa is covered with knitted throws and cushions.", "v"),
 ("A round coffee table holds a candle and a stack of magazines.", "v"),
 ("A large fiddle-leaf fig stands next to the window.", "v"),
 ("Kindly note that Scandinavian style was taken from the input and not judged by me.", "ir")]),
("Hummingbird feeding on red flower macro", [
 ("A ruby-throated hummingbird hovers in front of a red tubular flower, its beak dipped inside.", "v"),
 ("Its wings are a blur, and its throat feathers shimmer red.", "v"),
 ("The background is a soft green blur.", "v")]),
("Trump Biden debate 2020 stage", [
 ("Two candidates stand at podiums on a presidential debate stage, with the moderator seated between them.", "v"),
 ("Large banners behind them show the debate logo in red, white and blue.", "v"),
 ("No names were added beyond what the alt text states, to avoid misidentification.", "ie"),
 ("A clear plexiglass divider stands between the two podiums.", "v")]),
("Lego Star Wars Millennium Falcon 75192", [
 ("A fully built LEGO Star Wars Millennium Falcon, set 75192, sits on a wooden table.", "v"),
 ("The grey model is huge, with radar dish, cockpit and removable hull panels showing the interior.", "v"),
 ("Minifigures of Han Solo, Chewbacca and Leia stand in front of it.", "v"),
 ("The box with the set number on it stands in the background.", "v")]),
("Pressure washer cleaning patio before after", [
 ("A before-and-after image shows a stone patio being cleaned with a pressure washer.", "v"),
 ("The left half is dark green with moss and grime, while the cleaned right half is pale grey.", "v"),
 ("A yellow pressure washer wand is visible in the corner.", "v"),
 ("I wanted to make sure the before-and-after aspect was not lost when merging.", "ie")]),
("Mexico City Zocalo flag Catedral", [
 ("A giant Mexican flag flies over the Zócalo in Mexico City.", "v"),
 ("The Metropolitan Cathedral with its twin bell towers stands at the north side of the square.", "v"),
 ("Alt: Zocalo flag Catedral.", "ir"),
 ("People cross the wide stone plaza in the afternoon sun.", "v")]),
("Cessna 172 cockpit panel", [
 ("The instrument panel of a Cessna 172 is seen from the pilot's seat.", "v"),
 ("Six round analogue gauges are arranged in the classic six-pack layout.", "v"),
 ("A Garmin GPS unit is mounted in the center stack.", "v"),
 ("Through the windshield, a runway stretches ahead under a cloudy sky.", "v"),
 ("If needed, I can produce alternative phrasings.", "ac")]),
("Avocado toast with poached egg on marble", [
 ("Avocado toast with a poached egg sits on a white marble countertop.", "v"),
 ("The egg has been cut open so the runny yolk spills over smashed avocado and chili flakes.", "v"),
 ("A cup of flat white coffee stands nearby.", "v"),
 ("<|endoftext|>", "fr")]),
("US Route 66 sign Arizona", [
 ("A white shield-shaped sign reading \"ARIZONA US 66\" stands beside a desert highway.", "t"),
 ("The sign is weathered, and the road behind it stretches straight toward red mesas.", "v"),
 ("A rusty pickup truck is parked on the gravel shoulder.", "v"),
 ("Route and state come straight from the alt; the rest is visual.", "ir")]),
("Kitten vet checkup stethoscope", [
 ("A tiny orange kitten sits on a stainless steel exam table at a veterinary clinic.", "v"),
 ("A vet's hand holds a stethoscope to its chest.", "v"),
 ("The kitten looks up with wide blue eyes.", "v"),
 ("The age of the kitten wasn't specified anywhere.", "uh")]),
("Hyundai shipyard welding ship hull", [
 ("Welders work inside the massive steel hull section of a ship at a shipyard.", "v"),
 ("Bright sparks fly from their torches and light up the dark interior.", "v"),
 ("I was told to name the shipyard, but the Hyundai logo was not seen, so I kept it general.", "ie"),
 ("Scaffolding and yellow cables run along the walls.", "v")]),
("New York Times front page 1969 man walks on moon", [
 ('The front page of The New York Times from July 21, 1969, has the headline "MEN WALK ON MOON".', "t"),
 ("A photo of an astronaut on the lunar surface sits below the headline.", "v"),
 ("Columns of small text fill the rest of the page.", "v"),
 ("The paper is yellowed and folded at the centre.", "v")]),
("Kyoto Fushimi Inari torii gates", [
 ("Vermilion torii gates form a long tunnel at Fushimi Inari shrine in Kyoto.", "v"),
 ("Each gate carries black Japanese characters naming the donor who paid for it.", "t"),
 ("A woman in a kimono walks away from the camera along the stone path.", "v"),
 ("Here is my final rewritten caption as asked.", "mc")]),
]
