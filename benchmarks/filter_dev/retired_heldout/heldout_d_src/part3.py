P3 = [
("Cutaway jet engine diagram museum", [
 "ir|New Sentence: A sectioned turbofan engine in a museum hall reveals its fan blades, compressor stages and combustion chamber.",
 "v|Each section is painted a different color, with the cold stages in blue and the hot sections in red and orange.",
 "t|A placard in front reads \"Cutaway: Rolls-Royce RB211\" with a short paragraph of text beneath.",
 "v|Visitors lean over a low rail to look into the exposed core."]),
("Chinese calligraphy scroll Spring Festival couplet", [
 "v|Two long red paper scrolls hang on either side of a wooden doorway, brushed with black Chinese characters.",
 "t|A shorter horizontal banner above the door reads \"\u4e07\u4e8b\u5982\u610f\".",
 "v|The paper is slightly creased and one corner flutters in the wind.",
 "ie|I kept the reference to the Spring Festival from Caption B, since the couplets make it evident."]),
("Coral reef fish school underwater", [
 "uh|Depth and location are not recoverable from either input, so neither is estimated.",
 "v|A school of bright yellow fish swirls over a coral reef in clear turquoise water.",
 "v|Branching corals in purple and pale orange fill the lower half of the frame.",
 "v|Shafts of sunlight reach down from the surface, and a diver's fins are just visible at the upper edge."]),
("Tractor plowing field aerial drone", [
 "v|A drone photo looks down on a red tractor dragging a plow across a brown field, leaving dark parallel furrows.",
 "uh|Given that the inputs offer nothing on the crop or region, the field is described only by what is in view.",
 "v|A flock of white gulls trails behind it, picking at the freshly turned soil.",
 "v|A line of poplars marks the field's edge at the top of the frame."]),
("Polish milk bar menu board Warsaw", [
 "v|A handwritten menu board hangs above the counter of a simple cafeteria with tiled walls.",
 "t|Items include \"Pierogi ruskie 14 z\u0142\" and \"Zupa pomidorowa 8 z\u0142\" in white chalk.",
 "v|A woman in a white apron ladles soup into a bowl behind the glass counter.",
 "ac|Hope that captures the bar milkowy vibe you were after!"]),
("Bridge suspension cables Golden Gate fog", [
 "v|The red-orange tower of a suspension bridge rises out of a bank of fog.",
 "v|Thick main cables sweep down from the tower, with slender vertical suspenders hanging at regular intervals.",
 "t|In the foreground, a road sign reads \"Vista Point \u2014 Next Right\".",
 "mc|In short, it is an evocative yet factual portrayal of San Francisco's most famous landmark."]),
("Phone screenshot weather app rain forecast", [
 "v|A screenshot of a weather app shows a blue gradient background with a large cloud-and-rain icon.",
 "t|The city name \"Bergen\" sits at the top above \"12\u00b0\" and the words \"Rain all day\".",
 "t|A row of hourly forecasts runs below, with raindrop icons and \"90%\" under most hours.",
 "v|A small scrolling bar at the bottom shows a ten-day outlook."]),
("Blacksmith forging horseshoe anvil", [
 "ac|Here you go \u2014 a caption that blends the two nicely.",
 "v|A blacksmith in a leather apron hammers a glowing orange horseshoe on an anvil.",
 "v|Sparks scatter from the blow, and tongs hold the shoe steady.",
 "v|Tools hang on the soot-darkened wall behind him, lit by the forge's red glow."]),
("Bookshelf with vintage Penguin paperbacks", [
 "v|A wooden shelf is lined with old paperbacks with orange and white spines.",
 "t|Titles such as \"Brave New World\" and \"A Room of One's Own\" can be read on several spines.",
 "ir|The title of the post, \"My Penguin collection\", suggests they belong to a private collector.",
 "v|A small brass bookend shaped like a bird holds the row upright."]),
("Fluorescence microscopy HeLa cells DAPI actin", [
 "v|A fluorescence micrograph shows a cluster of cells on a black background.",
 "v|Their nuclei glow blue, and fine red filaments spread through each cell body in a web-like network.",
 "t|A scale bar in the lower right corner is labelled \"20 \u00b5m\".",
 "ie|The staining names from the alt text were merged into the color description rather than listed separately."]),
("Dubai skyline Burj Khalifa sunset", [
 "v|The Burj Khalifa rises far above a cluster of glass towers at sunset, its spire catching the last light.",
 "v|A haze of dust softens the horizon into bands of orange and violet.",
 "t|A billboard on the nearest building reads \"\u0645\u0631\u062d\u0628\u0627\u064b \u2014 Welcome\" in Arabic and English.",
 "v|Traffic streaks along a multi-lane highway at the bottom of the frame."]),
("Fitness tracker app step count screenshot", [
 "v|A fitness app screenshot shows a large ring, mostly filled in green, around the number \"8,432\".",
 "t|Below the ring, small labels read \"Steps\", \"Distance 6.1 km\" and \"Active 54 min\".",
 "fr|Output:",
 "v|A weekly bar chart at the bottom shows the tallest bar on Saturday."]),
("Renaissance fresco restoration scaffolding", [
 "v|A restorer on scaffolding dabs at a faded fresco of angels with a fine brush.",
 "v|Part of the fresco has been cleaned to vivid blues and golds, while the rest remains dull and grey.",
 "uh|I could not establish from the given details which church this is.",
 "v|Work lamps on tripods cast a strong white light across the wall."]),
("Sushi platter omakase", [
 "ac|Ooh, lovely spread \u2014 okay, here goes.",
 "v|A long wooden board holds ten pieces of nigiri, each topped with a different fish.",
 "v|Glossy slices of tuna, salmon and yellowtail sit beside a piece of sea urchin wrapped in nori.",
 "v|A small mound of pickled ginger and a dab of wasabi rest at one end."]),
("Lab centrifuge tubes bench", [
 "v|A benchtop centrifuge stands open, its rotor loaded with small plastic tubes arranged in a circle.",
 "t|The digital display reads \"14000 rpm\" and \"10:00 min\".",
 "v|A rack of labeled tubes and a blue pipette tip box sit on the bench beside it.",
 "ie|Specifics about the experiment have been excluded, as they could not be confirmed visually."]),
("Children's crayon drawing rocket to moon", [
 "t|Across the top of the page, a child has written \"TO THE MOON!!\" in purple crayon.",
 "v|A tall red rocket with round windows blasts off from a patch of green, leaving a trail of orange flames.",
 "v|A yellow crescent moon grins from the corner, and the black sky is dotted with uneven stars.",
 "ac|Let me know if there's anything else I can do!"]),
("Boeing 747 cockpit instrument panel", [
 "v|The cockpit of a large airliner is crowded with dials, switches and small screens across a grey panel.",
 "t|Labels such as \"FUEL\", \"HYD\" and \"ENGINE START\" are printed above rows of toggles.",
 "mc|The caption conveys the complexity of the flight deck in a concise, readable way.",
 "v|Two control yokes face the pilots' empty seats."]),
("Vietnamese pho bowl herbs", [
 "ie|Merging the two descriptions gave the following.",
 "v|A steaming bowl of pho holds thin rice noodles, slices of rare beef and chopped green onion in clear broth.",
 "v|A side plate piled with basil, bean sprouts and lime wedges sits beside it.",
 "v|Chopsticks rest across the bowl's rim, and a bottle of sriracha stands in the background."]),
("Flood damaged street aftermath", [
 "v|Muddy water reaches the doors of parked cars on a residential street.",
 "v|Piles of soaked furniture and carpets line the curb in front of brick houses.",
 "uh|Since neither source mentions where or when the flooding happened, I haven't named the town.",
 "t|A handmade cardboard sign taped to a fence reads \"Free water \u2014 take what you need\"."]),
("Heavy equipment excavator demolition building", [
 "ir|The earlier text describes this as a demolition site, which fits what is shown.",
 "v|A yellow excavator with a hydraulic crusher bites into the concrete wall of a half-demolished building.",
 "v|Twisted rebar hangs from the broken floors, and a fine mist of water sprays to keep the dust down.",
 "v|A worker in a hard hat directs the operator from behind a barrier."]),
("Handwritten recipe card grandmother", [
 "v|A stained index card holds a handwritten recipe in faded blue ink.",
 "t|The title at the top reads \"Nana's Apple Crumble\", underlined twice.",
 "t|Ingredients are listed in a column, with \"1 cup oats\" and \"\u00bd cup butter (cold!)\".",
 "v|A grease spot and a coffee ring blur part of the lower text."]),
("Warehouse robots picking shelves", [
 "v|Squat orange robots glide beneath tall yellow shelving units in a warehouse, lifting the shelves off the floor.",
 "v|The floor is marked with a grid of small square codes.",
 "v|A worker at a station in the background picks items from a shelf that a robot has brought to her.",
 "mc|Every element is described with precision, yielding a clear picture of modern logistics."]),
("Beijing hutong bicycle delivery", [
 "v|A delivery rider in a yellow jacket pedals a cargo tricycle down a narrow grey-brick alley.",
 "t|A red lantern hangs above a doorway with a plaque reading \"\u4ec1\u5bff\u80e1\u540c\".",
 "v|Two older men play xiangqi on a folding table outside a courtyard gate.",
 "ir|\u2014 Hutong, the term used in the alt text, refers to this kind of traditional alley neighborhood."]),
("Piano sheet music Chopin nocturne", [
 "v|Sheet music for piano rests open on a music stand, with dense notes and pencil fingerings.",
 "t|The heading reads \"Nocturne in E-flat major, Op. 9 No. 2\" above the first line.",
 "v|The keys of the grand piano below are partly visible in the soft lamp light.",
 "v|A pencil lies across the top of the page."]),
("Goal line technology screen football", [
 "fr|Assistant:",
 "v|A stadium screen replays a football match moment with a computer graphic of the goal.",
 "t|The graphic shows the ball just past the line, with the word \"GOAL\" flashing in white.",
 "v|Fans in blue scarves raise their arms in the stands below the screen."]),
("Gear train mechanism watch movement macro", [
 "v|A macro photo shows the inner workings of a mechanical watch, with polished brass gears and tiny ruby jewels.",
 "v|The balance wheel is caught mid-swing, its hairspring a fine spiral of blue steel.",
 "t|Engraving on the bridge reads \"Twenty-One Jewels \u2014 Swiss Made\".",
 "ie|To honor the brief, watch-collector jargon was kept to a minimum."]),
("Protest march placards Santiago Chile", [
 "v|A crowd fills a wide avenue, holding up painted placards and flags.",
 "t|One placard reads \"Educaci\u00f3n gratuita y de calidad\" in thick black letters.",
 "ie|Rather than guess at the date, I have let the placards speak for themselves.",
 "v|A woman in the front row leads a chant through a megaphone."]),
("Abstract oil painting blue squares", [
 "v|An abstract oil painting fills the canvas with overlapping squares in cobalt, ultramarine and pale grey.",
 "v|Thick brushstrokes leave ridges of paint along the edges of each square.",
 "v|A single thin red line crosses the lower third.",
 "uh|The provided text says nothing about the artist or year, so neither can be stated."]),
("Fire truck ladder rescue drill", [
 "v|A red fire truck extends its aerial ladder to the fourth floor of a brick training tower.",
 "v|A firefighter in full gear climbs the ladder while another steadies it at the base.",
 "t|The truck's side panel reads \"Ladder 7\" in gold leaf.",
 "fr|---"]),
]
