# Hand-written captions for heldout_f.jsonl, part 3 (kind codes as in data1.py).
DATA = [
("Mount Fuji cherry blossoms Chureito Pagoda", [
 ("v", "A red five-storey pagoda stands among pink cherry blossoms on a hillside."),
 ("v", "Snow-capped Mount Fuji rises in the background under a clear sky."),
 ("ie", "Dropped the hashtag clutter from the second input.")]),
("Surgical robot da Vinci operating room", [
 ("fr", "Answer:"),
 ("v", "A surgical robot with four draped arms stands over an operating table."),
 ("v", "Surgeons in blue gowns stand nearby, one seated at a console."),
 ("v", "Monitors on booms show a magnified view inside the patient.")]),
("Code editor Python script screenshot", [
 ("t", "A screenshot of a code editor shows a file named caption_merge.py with dark-theme syntax highlighting."),
 ("t", "Line 12 reads `prompt = \"Describe the image in one sentence.\"`."),
 ("t", "A comment above it says \"# TODO: merge captions before saving\"."),
 ("v", "The file tree on the left lists folders named data and models.")]),
("Cuba Havana classic cars Malecon", [
 ("v", "Vintage American cars in pink and turquoise cruise along a seafront boulevard."),
 ("v", "Waves break over the sea wall on the right."),
 ("uh", "The inputs don't agree on the year of the cars, so none is given."),
 ("v", "Faded pastel buildings line the left side of the road.")]),
("Lego Star Wars Millennium Falcon 75192", [
 ("ir", "The image-text pair describes LEGO set 75192, the Millennium Falcon."),
 ("v", "A large grey LEGO model of the Millennium Falcon sits on a wooden table."),
 ("v", "Hull panels are removed to show minifigures in the cockpit and lounge."),
 ("v", "The instruction booklet lies open beside it.")]),
("Chemistry titration burette", [
 ("v", "A glass burette clamped to a stand drips clear liquid into a flask of pink solution."),
 ("v", "A white tile beneath the flask makes the colour easier to see."),
 ("ac", "Glad I could help!")]),
("Museum label Egyptian cat mummy", [
 ("t", "A museum case holds a mummified cat wrapped in linen with a painted face."),
 ("t", "The label reads \"Cat mummy, Late Period, 664–332 BC. Provenance unknown.\""),
 ("t", "A second card beside it adds \"Note: X-ray shows a kitten inside\"."),
 ("v", "Soft spotlights illuminate the case from above.")]),
("Hong Kong neon signs Mong Kok night", [
 ("mc", "What follows is a description of the image, enriched with context."),
 ("v", "Dozens of neon signs in Chinese characters hang over a busy street in Mong Kok at night."),
 ("t", "One red sign shows the character \"押\" inside a circle, marking a pawnshop."),
 ("v", "Red taxis wait in a line along the kerb.")]),
("Wheat harvest combine aerial", [
 ("v", "An aerial photo shows a green combine harvester cutting a golden wheat field in stripes."),
 ("v", "A tractor with a trailer drives alongside to collect the grain."),
 ("mc", "Nothing more is needed for this caption to be complete."),
 ("v", "Dust trails behind both machines."),
 ("v", "Hedgerows border the field on two sides.")]),
("Sony a7 IV camera body", [
 ("v", "A black mirrorless camera body without a lens sits on a grey surface."),
 ("t", "The top plate has a dial marked \"P A S M\" and a button labelled \"C1\"."),
 ("uh", "The model number is only known from the product listing and cannot be read off the camera itself."),
 ("v", "A neck strap is coiled beside the body.")]),
("children's drawing family house sun", [
 ("v", "A crayon drawing shows a house with a red roof, four stick figures and a smiling yellow sun."),
 ("t", "Uneven letters at the bottom spell \"MY FAMLY\"."),
 ("fr", "[Image description ends]")]),
("Hospital ventilator ICU", [
 ("ie", "As instructed, the specific patient details were left out."),
 ("v", "A ventilator on a wheeled stand shows green and yellow waveforms on its screen."),
 ("v", "Clear tubing loops from the machine toward a hospital bed."),
 ("v", "The room is dim except for the glow of the monitors.")]),
("Subtitled TV still - Doctor Who", [
 ("t", "A TV still shows a man in a long coat holding a glowing screwdriver in a dark corridor."),
 ("t", "The subtitle reads \"Don't blink. Blink and you're dead.\""),
 ("v", "Stone angel statues loom behind him.")]),
("Nike Air Jordan 1 Chicago 2015 DS size 10", [
 ("v", "A red, white and black high-top sneaker sits beside its box."),
 ("ir", "The listing also mentions size 10, deadstock."),
 ("v", "The swoosh is black on a white side panel, with a red toe and heel."),
 ("v", "The box lid is propped against the shoe.")]),
("Photo-editing app crop screen", [
 ("t", "A phone screenshot shows a photo of a golden retriever in a crop tool, with a grid overlay."),
 ("t", "Buttons at the bottom read \"Original\", \"Square\", \"4:5\" and \"16:9\"."),
 ("t", "A small \"Undo\" arrow sits in the top bar next to a \"Save copy\" button and a \"Revert to original\" link.")]),
("Great Wall Mutianyu autumn", [
 ("v", "The Great Wall snakes along a ridge covered in red and orange autumn trees."),
 ("v", "Watchtowers stand at intervals along the wall."),
 ("ac", "Hopefully that's what you're after.")]),
("Mining haul truck Caterpillar 797", [
 ("v", "A gigantic yellow haul truck drives up a dirt ramp in an open-pit mine."),
 ("v", "A person standing beside one wheel barely reaches the hub."),
 ("ie", "I've combined the Caterpillar model from the alt-text with the scene from the dense caption."),
 ("v", "Terraced benches of red rock rise behind it.")]),
("Annotated X-ray wrist fracture", [
 ("t", "An X-ray of a wrist shows the two forearm bones and the small carpal bones."),
 ("t", "A red arrow annotation points to a thin dark line across the end of the radius."),
 ("t", "A typed annotation at the top reads \"Pt details removed\" beside the letter \"R\"."),
 ("uh", "The alt-text calls it a fracture, but that can't be confirmed here.")]),
("Berlin U-Bahn Alexanderplatz", [
 ("v", "A yellow U-Bahn train stands at a platform with blue tiled walls."),
 ("t", "A station sign reads \"Alexanderplatz\" in white on blue."),
 ("ir", "The station name appears in both the alt text and on the sign."),
 ("v", "A few passengers wait on a bench.")]),
("Wagyu steak marbling A5", [
 ("fr", "Caption (fused):"),
 ("v", "A thick raw steak with dense white marbling sits on a black slate board."),
 ("v", "Coarse salt crystals are scattered across the board."),
 ("ir", "The accompanying text grades it A5.")]),
("Chess tournament Magnus Carlsen", [
 ("mc", "Below is a balanced caption that honours both sources."),
 ("v", "Two chess players sit across a board at a tournament table with a digital clock between them."),
 ("uh", "I'm sorry, but I can't name the players from the image alone."),
 ("v", "The player on the left rests his chin on his hand in concentration."),
 ("t", "A small placard on the table reads \"Board 1\".")]),
("Old map of Paris 1739 Turgot", [
 ("mc", "This description focuses on the map's artistry rather than its history."),
 ("v", "A finely engraved bird's-eye map shows the streets and buildings of Paris in perspective."),
 ("v", "The Seine winds through the centre with bridges crossing it."),
 ("t", "A decorative title cartouche in the upper corner is written in French."),
 ("v", "Tiny gardens and courtyards are drawn inside the blocks.")]),
("Robot vacuum mapping app screenshot", [
 ("t", "A phone screenshot shows a floor map of a flat in blue and green zones."),
 ("t", "A panel at the bottom reads \"Cleaning summary: 42 m², 38 min\"."),
 ("ac", "Anything else you want changed?")]),
("Traditional Mexican market Oaxaca", [
 ("v", "A market stall in Oaxaca is piled with dried chillies in red, brown and black."),
 ("t", "A cardboard sign reads \"Chile pasilla $80 el kilo\"."),
 ("ie", "We left out the vendor's name since it appeared only in the alt text."),
 ("v", "A woman in an embroidered blouse weighs chillies on a hanging scale.")]),
("Fluorescence microscopy neurons GFP", [
 ("v", "Bright green neurons with long branching dendrites glow against a black background."),
 ("v", "Blue-stained nuclei appear as small dots scattered across the field."),
 ("mc", "Score for this caption: 4 out of 5."),
 ("v", "A thin white scale bar sits at the bottom right.")]),
("Old Bollywood film poster Sholay 1975", [
 ("v", "A hand-painted film poster shows two men on horseback and a menacing figure in the centre."),
 ("t", "Large red letters across the top spell \"SHOLAY\" in English and Hindi."),
 ("t", "The sheet is an original 1975 release print, folded and faded at the edges."),
 ("fr", "<end_of_turn>")]),
("Kids soccer match rainy Saturday", [
 ("uh", "No age group was mentioned, but the players look about eight."),
 ("v", "Children in orange and blue kits chase a ball across a muddy pitch in the rain."),
 ("v", "Parents under umbrellas watch from the sideline.")]),
("Sumo wrestling Ryogoku Kokugikan", [
 ("v", "Two sumo wrestlers crouch face to face in a clay ring under a suspended roof."),
 ("v", "A referee in a purple silk robe holds a fan between them."),
 ("t", "Banners with large black Japanese characters hang around the arena."),
 ("ac", "Enjoy!")]),
("Satellite image wildfire smoke California", [
 ("v", "A satellite view shows thick grey-brown smoke spreading west from the California coast over the Pacific."),
 ("ir", "New Sentence: Red dots along the ridges mark active fire fronts."),
 ("v", "Patches of green forest and tan valleys show through gaps in the smoke.")]),
("Bakery shop window Paris croissant", [
 ("v", "A bakery window is stacked with golden croissants and pains au chocolat."),
 ("t", "Gold lettering on the glass reads \"Boulangerie Pâtisserie — Depuis 1921\"."),
 ("v", "A reflection of the street and a passing cyclist shows in the glass."),
 ("mc", "In summary, a charming Parisian bakery scene.")]),
("Word document track changes screenshot", [
 ("t", "A screenshot of a word processor shows a paragraph with red strike-through deletions and underlined insertions."),
 ("t", "A comment in the margin says \"Please combine these two paragraphs and keep the first title.\""),
 ("t", "The ribbon at the top has the Review tab selected, showing \"Accept\", \"Reject\" and a \"Combine\" button for merging two versions of a document.")]),
("Galapagos marine iguana", [
 ("v", "A black marine iguana lies flat on dark volcanic rock at the water's edge."),
 ("v", "A white salt crust covers the top of its head."),
 ("uh", "I can't tell from the inputs which island this is."),
 ("v", "A small wave breaks on the rocks behind it.")]),
("Lamborghini Aventador SVJ matte green", [
 ("ac", "Of course!"),
 ("v", "A matte green supercar with sharp angular lines is parked in an underground garage."),
 ("v", "Its scissor doors are raised."),
 ("v", "Large carbon-fibre air intakes sit behind the doors.")]),
("Polish tram Kraków Old Town", [
 ("v", "A blue-and-white tram rounds a corner beside old pastel buildings in Kraków."),
 ("t", "The destination display on the tram reads \"Dworzec Główny\"."),
 ("v", "Pedestrians wait at a stop under a small glass shelter.")]),
("Rigol oscilloscope 1kHz sine wave test", [
 ("v", "An oscilloscope screen shows a yellow sine wave over a grid."),
 ("t", "Readouts at the bottom show \"CH1 2.00V\" and \"1.000kHz\"."),
 ("t", "A cable from the probe runs into the front input jack."),
 ("ie", "The frequency value was preserved from the alt text.")]),
("Vintage typewriter Olivetti Lettera 22", [
 ("v", "A pale green portable typewriter sits on a wooden desk with a sheet of paper loaded."),
 ("t", "The typed line on the paper reads “Dear editor, I have merged the two drafts as you asked.”"),
 ("ir", "The model name is from the alt text: an Olivetti Lettera 22."),
 ("t", "A pair of reading glasses and a cup of pencils sit beside the machine.")]),
("Chocolate chip cookie recipe card", [
 ("t", "A handwritten recipe card lists ingredients such as butter, brown sugar and chocolate chips."),
 ("t", "At the bottom, in different ink, someone has added \"Note: bake 2 min less in new oven\"."),
 ("v", "A small grease stain marks one corner of the card."),
 ("t", "A cookbook propped behind it has a blurb on its back cover praising \"the best cookies in Ohio\".")]),
("Aurora borealis Tromsø", [
 ("ie", "Merging both descriptions:"),
 ("v", "Green ribbons of aurora swirl over a snowy fjord near Tromsø."),
 ("v", "A small red cabin glows with warm light on the shore.")]),
("Steel mill molten metal pour", [
 ("v", "Molten steel pours from a tilted ladle in a shower of orange sparks."),
 ("v", "A worker in a silver heat-protective suit stands at a distance."),
 ("uh", "Which mill this is remains unknown; neither text says."),
 ("v", "Smoke rises into the dark roof of the hall.")]),
("Wedding photo beach Bali", [
 ("v", "A couple stands barefoot on a beach at sunset, the bride in a flowing white gown."),
 ("v", "The groom wears a light linen suit with rolled trousers."),
 ("v", "Waves wash up near their feet."),
 ("mc", "The result is a warm, romantic description.")]),
("Film title card Casablanca 1942", [
 ("t", "A black-and-white title card displays \"Casablanca\" in large white letters over a map of Africa."),
 ("t", "Smaller credits below read \"Humphrey Bogart, Ingrid Bergman, Paul Henreid\"."),
 ("v", "The edges of the frame are soft and slightly vignetted.")]),
("Greek island Santorini Oia church", [
 ("fr", "## Caption"),
 ("v", "A white church with a blue dome stands on a cliff above the Aegean in Oia."),
 ("t", "A small sign by the steps reads \"Ιερός Ναός\" in blue letters."),
 ("v", "Bougainvillea spills over a white wall.")]),
]
