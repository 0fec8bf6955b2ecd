# Hand-written captions, part 1. Each entry: (alt_text, [ "kind|text", ... ]).
P1 = [
("Caterpillar 797F haul truck at Bingham Canyon mine", [
 "ie|Retaining the dense caption's visual detail while folding in the model name, the result reads as follows: a Caterpillar 797F haul truck sits on a terraced gravel bench in an open-pit copper mine.",
 "v|Its yellow dump bed is raised slightly, and the tires stand taller than the white pickup parked beside it.",
 "v|Stepped grey and rust-colored walls of the pit rise behind it under a hazy sky.",
 "t|A white sign on the safety berm reads \u201cHAUL ROAD \u2014 MERGE LEFT\u201d in block letters."]),
("SEM image of pollen grains, false color, 2000x", [
 "v|Dozens of spiky spherical pollen grains are scattered across a dark background in this false-color scanning electron micrograph.",
 "v|The larger grains are tinted magenta and covered in evenly spaced conical spines, while smaller oval grains appear lime green with three furrows.",
 "uh|The 2000x magnification rests on the accompanying text alone and cannot be checked here, since no scale bar is legible.",
 "t|A thin data strip along the bottom edge shows the detector setting \"SE2\" and a field-width value."]),
("Hand-drawn family portrait by my 5yo", [
 "v|A child's crayon drawing shows four stick figures standing in a row on a green strip of grass.",
 "v|The tallest figure has yellow scribbled hair and a triangular purple dress, and the smallest holds a red balloon on a long wavy string.",
 "t|Above them, the words \"MY FAMLY\" are written in uneven orange capitals, with the Y reversed.",
 "v|A large sun with spiky rays fills the upper right corner, and a square house with a chimney stands at the left."]),
("Chest X-ray PA view normal adult", [
 "fr|<|start_header_id|>assistant<|end_header_id|>",
 "v|A posteroanterior chest radiograph shows an adult ribcage, with clear, dark lung fields on both sides.",
 "v|The heart silhouette sits centrally and slightly to the left, and both diaphragm domes have smooth, rounded outlines.",
 "t|A small lead marker \"R\" appears in the upper left corner of the film, marking the patient's right side.",
 "fr|<|eot_id|>"]),
("Seoul Myeongdong street food stalls at night", [
 "v|Crowds walk between rows of food carts on a narrow pedestrian street at night, lit by strings of bare bulbs.",
 "t|Hangul signs overhead advertise \"\ub5a1\ubcf6\uc774\" and \"\ud638\ub5a1\", with prices in won written in red marker on white cards.",
 "ir|Myeongdong, the district named in the accompanying description, is known for exactly this kind of evening market.",
 "v|In the foreground, a vendor in a black cap turns skewers of fish cake in a steaming tray of broth."]),
("1936 Olympic stadium Berlin historic photo", [
 "mc|What follows is a fuller, more informative portrait of the scene than either source offered on its own.",
 "v|A black-and-white photograph shows the oval Olympic Stadium in Berlin packed with spectators in 1936.",
 "v|Flags hang from tall poles along the rim, and a running track circles a grass field where rows of athletes stand in formation.",
 "t|The grain and the foxed, faded edges suggest an original print from the period."]),
("Sourdough boule recipe step 4 shaping", [
 "v|Two floured hands press and fold a pale, shaggy ball of dough on a wooden counter.",
 "t|A printed recipe card propped against a jar reads \"Step 4: Shape \u2014 fold edges to the center, then flip seam-side down.\"",
 "v|A banneton basket dusted with rice flour waits to the right, next to a steel bench scraper.",
 "ac|I hope this version strikes the right balance between the visual detail and the recipe context you shared!"]),
("Formula 1 Monaco Grand Prix timing screen lap 42", [
 "v|A large trackside timing screen displays the running order during a Formula 1 race beside a harbor.",
 "t|The top rows list \"1 LEC\", \"2 PIA\" and \"3 SAI\" next to gap times in yellow digits, with \"LAP 42/78\" in the header.",
 "ie|I omitted the speculation about rain that appeared in the first description, since the sky itself is not in frame.",
 "v|Below the screen, yachts are moored tightly in the marina, and spectators lean over a balcony railing."]),
("GE Optima MR450w MRI scanner in hospital room", [
 "v|A large white MRI scanner with a circular bore stands in a clean, brightly lit hospital room.",
 "v|A padded patient table extends from the bore, topped with a folded blue sheet and a head coil.",
 "ir|Its make and model, the GE Optima MR450w, are taken from the listing rather than from any visible badge.",
 "t|A wall panel next to the door shows the label \"Emergency Magnet Stop\" beneath a red button cover."]),
("autumn aerial view vineyard Mosel", [
 "v|An aerial photograph looks down on steep terraced vineyards curving along a bend in the Mosel river.",
 "v|Rows of vines run in parallel stripes of gold, orange and fading green down the slopes toward the water.",
 "t|Two roads merge near a small stone bridge at the bottom of the valley.",
 "v|A village of slate-roofed houses clusters around a church spire on the opposite bank."]),
("Vintage Coca-Cola tin sign 1950s", [
 "fr|**Enhanced Caption**",
 "v|A rectangular tin sign with rounded corners shows a red disc bearing the Coca-Cola script logo.",
 "t|Beneath it, the slogan \"Drink Coca-Cola \u2014 Delicious and Refreshing\" is printed in white on a green band.",
 "v|Rust spots and chipped paint along the edges suggest decades of outdoor display.",
 "uh|Whether it is a genuine 1950s piece or a later reproduction is something the supplied information does not settle."]),
("Minecraft village screenshot survival mode", [
 "v|A video-game screenshot shows a blocky village of wooden houses with cobblestone foundations beside a river.",
 "t|The hotbar along the bottom holds a stone pickaxe, torches and bread, and the chat box shows \"<Steve> found iron!\".",
 "v|Several villagers in brown robes stand near a wheat farm, and the sky is a flat cyan dotted with square clouds.",
 "mc|Together, these details paint a vivid picture of a peaceful survival-mode moment, giving readers both the look and the context of the game."]),
("Tokyo metro map Japanese", [
 "ir|As the page title suggests, this is a diagram of the Tokyo subway network.",
 "v|Colored lines cross a white background, and each station is marked with a small circle.",
 "t|Station names appear in both kanji and romaji, such as \"\u65b0\u5bbf Shinjuku\" and \"\u6e0b\u8c37 Shibuya\".",
 "t|A legend box in the corner explains the line colors under the heading \"\u8def\u7dda\u56f3 Route Map\".",
 "v|The green loop of the Yamanote Line encircles the center of the diagram."]),
("hand-written note on fridge grocery list", [
 "uh|It is called a grocery list in the alt text, though neither input indicates who wrote it.",
 "v|A yellow sticky note is stuck to a white refrigerator door with a magnet shaped like a strawberry.",
 "t|In blue ballpoint it lists \"eggs, oat milk, lemons, dish soap\", with \"lemons\" crossed out.",
 "t|At the bottom someone has added \"keep the original receipt!\" in a different hand."]),
("Ballet dancer rehearsal studio black and white", [
 "ac|Certainly \u2014 here's a caption that brings both pieces together.",
 "v|A ballet dancer in a black leotard holds an arabesque in a rehearsal studio with tall windows.",
 "v|Her reflection stretches across a mirrored wall, and a wooden barre runs the length of the room.",
 "v|The black-and-white image has soft grain and strong side light falling across the floorboards."]),
("Bar chart global smartphone shipments 2023 IDC", [
 "v|A bar chart compares smartphone shipments by brand, with vertical blue bars on a white background.",
 "t|The title reads \"Global Smartphone Shipments, 2023 (millions)\" and a footnote says \"Source: IDC\".",
 "v|The two tallest bars, labelled Apple and Samsung, both pass the 220 mark on the axis.",
 "ie|The IDC attribution was mentioned only once to avoid redundancy."]),
("Kyoto Fushimi Inari torii gates", [
 "v|A path tunnels through hundreds of closely spaced vermilion torii gates on a wooded hillside.",
 "t|Black kanji painted on the pillars record the names of the businesses that donated each gate.",
 "v|Dappled sunlight falls on the stone steps, and a lone visitor in a white shirt walks away from the camera."]),
("Welding robot arm automotive assembly line", [
 "v|An orange industrial robot arm throws a shower of sparks as it welds a car body frame.",
 "ie|Since the factory location in the web text could not be matched to anything visible, it was left out.",
 "v|Several more arms line the conveyor behind it, each bent over a grey unpainted chassis.",
 "t|A yellow floor sign reads \"CAUTION: ROBOT WORK ZONE \u2014 KEEP OUT\"."]),
("Matcha latte recipe infographic", [
 "fr|<|im_start|>assistant",
 "v|An illustrated infographic shows how to make a matcha latte in five numbered steps.",
 "t|Each step has a small drawing and a caption, from \"1. Sift 2 tsp matcha\" to \"5. Pour over steamed milk\".",
 "v|The palette is soft green and cream, with a cartoon bamboo whisk in the center.",
 "fr|<|im_end|>"]),
("Nurse adjusting IV pump ICU", [
 "v|A nurse in navy scrubs adjusts the settings on an infusion pump clamped to an IV pole.",
 "t|The pump's small screen reads \"RATE 125 mL/h\" and \"VTBI 500\" in green digits.",
 "mc|This description stays faithful to the photograph while strengthening it with the clinical setting, which makes it more useful overall.",
 "v|Behind her, a monitor shows a heart-rate trace, and the curtain of the ICU bay is partly drawn."]),
("Cairo street sign Arabic English Tahrir", [
 "uh|There was no indication in the provided material of when the photo was taken, so no date is given.",
 "v|A blue street sign on a concrete wall gives a street name in Arabic script above an English transliteration.",
 "t|The English line reads \"Tahrir Sq.\" and a small arrow points to the right.",
 "v|Below the sign, a man rides past on a bicycle, balancing a wide tray of bread on his head."]),
("Stained glass window Chartres cathedral", [
 "uh|Though the accompanying text names Chartres, nothing in the frame itself can confirm which cathedral this is.",
 "v|A tall Gothic stained-glass window glows in deep blues and reds against the dark stone of a cathedral wall.",
 "v|Panels arranged in round medallions depict robed figures, a crowned king and scenes with small boats.",
 "v|Thin lead lines outline every shape, and sunlight spills colored patches onto a stone pillar."]),
("Men's linen suit spring collection lookbook", [
 "v|A male model in a loose oatmeal linen suit stands barefoot on a sun-bleached wooden jetty.",
 "v|His jacket hangs open over a white band-collar shirt, and he holds a straw hat at his side.",
 "ir|The spring-collection framing comes straight from the product page.",
 "v|Behind him, a flat turquoise sea meets a pale sky at a straight horizon."]),
("Sentinel-2 satellite image Nile delta", [
 "v|A satellite image shows the Nile delta fanning out in a green triangle from the river toward the Mediterranean.",
 "v|The surrounding desert is pale tan, and the coastline curves in a sharp line across the top of the frame.",
 "t|A thin white strip at the bottom reads \"Contains modified Copernicus Sentinel data (2023)\".",
 "v|Cairo appears as a grey sprawl at the southern tip of the delta."]),
("Subtitled TV screenshot Korean drama", [
 "v|A TV screenshot shows a young woman in a beige trench coat standing under an umbrella at a bus stop at night.",
 "t|White subtitles at the bottom read \"I didn't come here to say goodbye.\"",
 "t|A small broadcaster logo in the top right corner shows \"tvN\" next to an age-rating badge marked 15.",
 "ac|Feel free to tweak the tone if you'd prefer something less dramatic."]),
("kindergarten math worksheet counting apples", [
 "v|A printed worksheet shows rows of cartoon apples in boxes, with a blank line beside each box.",
 "t|The header reads \"Name: ______\" and \"Count and write the number\", and the child has written \"Mia\" in pencil.",
 "t|Under the instructions, a smaller line reads \"Source: Ms. Patel's Class Resources\".",
 "ie|I've kept the child's name exactly as it appears on the sheet."]),
("Wind turbine blade transport truck Germany Autobahn", [
 "v|A very long white wind turbine blade rests on an extendable trailer on a highway at dusk.",
 "v|Escort vehicles with flashing orange lights drive ahead of and behind it.",
 "t|An overhead gantry sign shows \"A7 Hamburg\" and \"Ausfahrt 24\" on a blue background.",
 "mc|All told, the caption offers a clear and informative snapshot of a heavy-transport operation."]),
("Petri dish bacterial colonies blood agar plate", [
 "fr|Caption:",
 "v|A round Petri dish of red blood agar holds dozens of small, cream-colored bacterial colonies.",
 "v|A clear halo surrounds several colonies, and the dish sits on a black bench under bright light.",
 "t|Handwritten marker on the lid reads \"S. aureus 24h 37\u00b0C\"."]),
("Lisbon tram 28 Alfama", [
 "v|A yellow vintage tram with the number 28 on its front climbs a narrow cobbled street.",
 "t|The destination display above the windshield reads \"Martim Moniz\".",
 "v|Pastel house fronts with wrought-iron balconies crowd both sides of the street, and laundry hangs from a line.",
 "v|A woman steps back into a doorway as the tram passes only inches away."]),
("Knitting pattern chart fair isle yoke", [
 "v|A grid chart for a Fair Isle knitting pattern fills the page, each square shaded red, navy or cream.",
 "ir|Per the product description, the chart is meant for a yoke sweater.",
 "t|A key in the margin explains the symbols, and the heading reads \"Chart A \u2014 Yoke, rows 1\u201342\".",
 "v|A pencil line and a few handwritten tally marks run along the right side of the grid."]),
]
