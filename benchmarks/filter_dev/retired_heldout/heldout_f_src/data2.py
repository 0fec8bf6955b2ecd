# Hand-written captions for heldout_f.jsonl, part 2 (kind codes as in data1.py).
DATA = [
("Pressure gauge oil refinery", [
 ("ie", "Weaving the alt text into the dense caption gives the following."),
 ("v", "A round pressure gauge with a white dial and its needle near 60 psi is mounted on a silver pipe."),
 ("v", "Rust streaks run down the pipe below the gauge."),
 ("v", "Other pipes and valves crowd the background of the refinery.")]),
("Subtitled still from Parasite 2019", [
 ("t", "A still from a film shows a family folding pizza boxes in a cramped semi-basement room."),
 ("t", "A white subtitle at the bottom reads \"Did you read the instructions carefully?\""),
 ("v", "Socks hang drying from a rack near the ceiling."),
 ("v", "A small window high on the wall looks out onto the street.")]),
("Hermès Birkin 30 Togo leather gold hardware", [
 ("v", "A tan leather handbag with gold hardware sits on a white pedestal."),
 ("v", "The flap closes with a gold turn-lock, and a small padlock hangs from the strap."),
 ("ir", "The seller describes it as a Birkin 30 in Togo leather."),
 ("t", "A card beside the bag gives it a condition rating of \"Excellent\".")]),
("Cheetah running Masai Mara", [
 ("uh", "The provided description didn't mention speed, so the motion blur is all I can go on."),
 ("v", "A cheetah sprints across golden grass in the Masai Mara with all four legs off the ground."),
 ("v", "Its spotted coat and black tear marks are crisp against the blurred background.")]),
("Excel spreadsheet quarterly budget", [
 ("t", "A screenshot of a spreadsheet shows a quarterly budget, with a sheet tab at the bottom named \"Combined\"."),
 ("t", "Cells A1 to E1 are merged into a single title cell reading \"2024 Budget Summary\"."),
 ("t", "A comment bubble attached to cell C7 says \"Correction needed: figure double-counted\"."),
 ("v", "The totals at the bottom are in bold.")]),
("Kyiv Independence Square", [
 ("v", "A wide square is paved with grey stone, with a tall white column topped by a golden statue."),
 ("t", "A blue street sign on a building reads \"Майдан Незалежності\"."),
 ("mc", "Rating: 9/10 for accuracy and detail."),
 ("v", "People walk across the square under an overcast sky.")]),
("Laboratory centrifuge Eppendorf 5424", [
 ("v", "A compact white benchtop centrifuge with its lid open sits on a lab bench."),
 ("v", "Small plastic tubes are loaded into the rotor in a balanced pattern."),
 ("ie", "Added the model number from the alt-text; everything else follows the visual caption."),
 ("v", "A rack of labelled tubes waits beside it.")]),
("Ramen bowl Ichiran Fukuoka", [
 ("v", "A bowl of tonkotsu ramen with thin noodles, sliced pork and green onions sits on a wooden counter."),
 ("t", "A paper order form beside the bowl has boxes to circle for \"Richness\" and \"Firmness\", printed in Japanese and English."),
 ("ir", "Ichiran, the chain named in the metadata, is known for these order forms."),
 ("v", "The broth has a small dollop of red chilli sauce in the middle.")]),
("Apollo 11 Buzz Aldrin on the Moon", [
 ("fr", "<|im_start|>assistant"),
 ("v", "An astronaut in a white spacesuit stands on the grey lunar surface, his gold visor reflecting the photographer."),
 ("v", "Footprints mark the fine dust around his boots."),
 ("uh", "I'm sorry, but I can't confirm which astronaut this is from the picture alone."),
 ("v", "The sky behind him is completely black.")]),
("Brutalist housing estate London aerial drone", [
 ("v", "An aerial drone view shows concrete tower blocks arranged around a green courtyard."),
 ("v", "Walkways connect the buildings at the upper levels."),
 ("uh", "I'm not sure the estate is in London; nothing in the image backs up that part of the alt text."),
 ("v", "Cars are parked in neat rows along one side.")]),
("Paint by numbers kit sunflowers", [
 ("t", "An unfinished paint-by-numbers canvas shows sunflowers, with numbered outlines still visible in the unpainted parts."),
 ("t", "A printed instruction sheet beside it says \"Match each number to the paint pot with the same number.\""),
 ("v", "Small paint pots in yellow, brown and green are lined up along the top.")]),
("Ferrari SF-23 Monza pit stop", [
 ("v", "A red Formula 1 car is surrounded by mechanics in red overalls during a pit stop."),
 ("v", "Four crew members hold wheel guns at each corner of the car."),
 ("ac", "Happy to tweak the tone if needed.")]),
("Traditional Japanese tea ceremony", [
 ("ir", "Caption B mentions a tea ceremony, which matches what is shown."),
 ("v", "A woman in a pale pink kimono kneels on a tatami mat and whisks matcha in a dark ceramic bowl."),
 ("v", "A bamboo ladle rests on an iron kettle beside her."),
 ("v", "A hanging scroll with calligraphy decorates the alcove behind.")]),
("Tesla Model Y interior touchscreen", [
 ("t", "A large central touchscreen in a car interior shows a map and a settings panel titled \"Display\"."),
 ("t", "A toggle labelled \"Show Original Range\" is switched on."),
 ("v", "The dashboard is minimal, with a wood-grain strip running across it."),
 ("ie", "Both sources agreed on the screen, so nothing needed reconciling.")]),
("Agricultural drone spraying rice field", [
 ("v", "A black hexacopter drone hovers low over a bright green rice paddy, spraying a fine mist."),
 ("v", "Rows of young rice plants stretch to a line of palm trees."),
 ("v", "A farmer in a straw hat watches from the edge of the field."),
 ("mc", "That sums up the scene nicely.")]),
("Zoom meeting screenshot team standup", [
 ("t", "A screenshot of a video call shows nine participants in a three-by-three grid."),
 ("t", "The chat panel on the right shows a message from \"Priya\": \"Let me know if you can't see my screen!\""),
 ("t", "A red badge in the top corner reads \"Recording — transcript and summary will be shared\"."),
 ("v", "Most participants sit in home offices with bookshelves behind them.")]),
("Medieval illuminated manuscript page", [
 ("v", "A parchment page is filled with black Gothic script in two columns."),
 ("v", "A large initial letter is painted in blue and gold, with vines curling into the margin."),
 ("t", "Small marginal annotations in brown ink appear beside the second column."),
 ("fr", "</s>")]),
("Coral reef bleaching Great Barrier Reef 2016", [
 ("ie", "Integrating the year and location from the web text:"),
 ("v", "Large patches of white bleached coral cover a shallow section of the Great Barrier Reef."),
 ("v", "A few fish swim above the pale branches."),
 ("v", "The water is clear and bright turquoise.")]),
("Old Delhi Chandni Chowk rickshaw", [
 ("v", "A cycle rickshaw carrying two passengers weaves through a crowded lane in Chandni Chowk."),
 ("t", "Shop signs overhead read \"शर्मा स्वीट्स\" and \"Jain Saree House\"."),
 ("ac", "Bear with me, there's a lot going on in this one."),
 ("v", "Tangled electrical wires hang above the street."),
 ("v", "A man in a white kurta carries a stack of boxes on his head.")]),
("ECG strip atrial fibrillation", [
 ("v", "A strip of pink grid paper shows an electrocardiogram trace with irregular spacing between the spikes."),
 ("uh", "The diagnosis in the alt-text can't be confirmed from the strip alone."),
 ("v", "The baseline wavers, with no clear small bump before each spike.")]),
("Harley Davidson Road King 2004 restored", [
 ("v", "A black motorcycle with wide chrome handlebars and leather saddlebags stands on a concrete floor."),
 ("v", "A round headlight flanked by two smaller spotlights sits at the front."),
 ("ir", "The year, 2004, is taken from the photo's title."),
 ("v", "The fuel tank carries a chrome eagle badge.")]),
("Photoshop generative fill prompt screenshot", [
 ("t", "A screenshot of Photoshop shows a beach photo with a selection marquee around an empty patch of sand."),
 ("t", "A floating bar under the selection contains a text box with the prompt “add a red beach umbrella”."),
 ("t", "A button labelled \"Generate\" sits to the right of the prompt box."),
 ("v", "The layers panel on the right lists a background layer and a generative layer.")]),
("Baseball scoreboard Fenway Park Green Monster", [
 ("ac", "Great question — here's what I came up with."),
 ("v", "The hand-operated scoreboard on Fenway Park's Green Monster shows inning-by-inning runs in white numbers."),
 ("t", "Letters on the board spell out \"NYY\" and \"BOS\" for the two teams."),
 ("v", "A man leans out of a slot in the scoreboard to change a number.")]),
("hydroponic lettuce vertical farm", [
 ("v", "Tall racks of lettuce grow under pink and purple LED lights in a warehouse."),
 ("v", "White pipes feed water into each tray."),
 ("v", "A worker in a lab coat checks a tray at eye level."),
 ("uh", "No information on the farm's location was given, so it stays unnamed."),
 ("v", "Condensation beads on the plastic trays.")]),
("Banksy mural Girl with Balloon", [
 ("v", "A stencilled mural on a brick wall shows a girl reaching toward a red heart-shaped balloon."),
 ("t", "Words painted beside it read \"There is always hope\"."),
 ("mc", "I think this version reads much better than the original.")]),
("Tiramisu slice on plate", [
 ("fr", "**Image Description**"),
 ("v", "A square slice of tiramisu sits on a white plate, dusted with cocoa powder."),
 ("fr", "**Details:**"),
 ("v", "Layers of coffee-soaked sponge and cream show on the cut side."),
 ("v", "A silver fork rests beside the plate.")]),
("Lagos traffic Third Mainland Bridge", [
 ("v", "Cars and yellow minibuses crawl bumper to bumper across the Third Mainland Bridge over a lagoon in Lagos."),
 ("ie", "I avoided repeating the bridge's name twice, as both inputs did."),
 ("v", "Stilt houses cluster on the water far below."),
 ("v", "Hazy sunlight reflects off the water.")]),
("Notre Dame fire 2019", [
 ("v", "Smoke and orange flames pour from the roof of a Gothic cathedral as its spire collapses."),
 ("v", "Crowds watch from the riverbank in the foreground."),
 ("v", "The twin towers of the façade are silhouetted against the smoke."),
 ("mc", "This fused caption conveys both the emotional weight and the historical significance of the moment.")]),
("App settings screen - accessibility alt text", [
 ("t", "A phone screenshot shows an app settings page with a section titled \"Accessibility\"."),
 ("t", "One option reads \"Auto-generate alt text for images\", with its switch turned on."),
 ("t", "Below it is a text field labelled \"Description\" containing the placeholder “Describe this photo…”."),
 ("v", "The page uses a dark theme with blue accents.")]),
("Kazakh eagle hunter Altai mountains", [
 ("v", "A man in a fox-fur hat holds a golden eagle on his gloved arm on a snowy ridge."),
 ("v", "The eagle's wings are half spread against a pale blue sky."),
 ("ac", "Feel free to use this as-is or adapt it.")]),
("Gel electrophoresis DNA ladder", [
 ("fr", "Output:"),
 ("v", "A dark agarose gel glows with orange bands under UV light."),
 ("v", "A ladder of evenly spaced bands runs down the leftmost lane."),
 ("v", "Six sample lanes each show a single bright band at a different height.")]),
("Moscow metro station Komsomolskaya", [
 ("v", "An ornate metro station hall has a yellow vaulted ceiling with mosaics framed in white stucco."),
 ("v", "Chandeliers hang in a long row down the centre."),
 ("t", "A sign on the wall reads \"Комсомольская\" in gold letters."),
 ("uh", "It's unclear from what was shared whether the photo is recent.")]),
("Turkish bazaar spices Istanbul", [
 ("ir", "Going by the web snippet, this is the Spice Bazaar in Istanbul."),
 ("v", "Mounds of red, orange and yellow spices fill open sacks."),
 ("t", "Small price tags stuck into them read \"120 TL/kg\"."),
 ("v", "Strings of dried peppers hang above the stall.")]),
("ultrasound 20 weeks baby", [
 ("v", "A grainy black-and-white ultrasound image shows the profile of a fetus."),
 ("t", "Text in the top corner reads \"GA 20w3d\" next to the hospital name."),
 ("v", "The curve of the head and a small hand near the face are visible.")]),
("Street Fighter 6 gameplay Ryu vs Chun-Li", [
 ("t", "A fighting-game screenshot shows Ryu throwing a glowing blue fireball at Chun-Li."),
 ("t", "Health bars at the top show Ryu at about half and Chun-Li nearly empty."),
 ("t", "A large \"COUNTER\" label flashes on the left side of the screen."),
 ("ie", "Character names were carried over from the alt text.")]),
("foggy forest", [
 ("v", "Tall pine trunks fade into thick white fog."),
 ("v", "The forest floor is covered in brown needles and ferns."),
 ("fr", "<|endoftext|>")]),
("Seoul Gangnam station exit 11", [
 ("v", "A wide sidewalk outside a subway exit is busy with commuters in winter coats."),
 ("t", "A sign over the stairs reads \"강남역 11번 출구\" beside an English \"Exit 11\"."),
 ("ir", "As the alt text states, this is Gangnam Station in Seoul."),
 ("v", "Neon signs for cafés glow on the buildings across the road.")]),
("Tower crane construction site Dubai", [
 ("mc", "Here is a caption that puts the cranes front and centre."),
 ("v", "Two yellow tower cranes rise above a half-built skyscraper of bare concrete floors."),
 ("v", "Workers in orange vests stand on the top slab."),
 ("v", "Rebar sticks up from the columns at the top level."),
 ("v", "Finished towers shine in the hazy background."),
 ("v", "A concrete pump truck is parked at the foot of the building.")]),
("Orchid Phalaenopsis white", [
 ("uh", "The species could not be confirmed; only the genus was given."),
 ("v", "A spray of white moth orchids arches from a green stem."),
 ("v", "Each flower has a yellow and magenta centre.")]),
("fashion editorial Vogue Italia 1990s", [
 ("v", "A model in a long black slip dress leans against a white wall, her face half in shadow."),
 ("t", "Magazine text along the edge reads \"VOGUE ITALIA\" beside a page number."),
 ("ac", "Let me know if you need it in Italian too.")]),
("magazine spread summary box climate", [
 ("t", "A magazine spread shows a photo of a melting glacier, with a credit in small type reading \"Source: NASA Earth Observatory\"."),
 ("t", "In the corner is a yellow box headed \"Summary\" with three bullet points."),
 ("t", "A pull quote in large italics reads \"We are running out of time.\""),
 ("v", "The page edges curl slightly.")]),
("industrial welding robot arm car chassis", [
 ("v", "Orange robotic arms weld the frame of a car body on an assembly line."),
 ("v", "Bright sparks scatter from the welding tips."),
 ("mc", "Vivid, accurate, and concise — this caption works."),
 ("v", "Yellow safety barriers surround the line.")]),
]
