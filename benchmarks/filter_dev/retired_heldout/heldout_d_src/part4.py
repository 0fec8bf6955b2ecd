P4 = [
("Hospital ventilator ICU screen waveforms", [
 "uh|Model details were not part of what I received, so the ventilator is described generically.",
 "v|A ventilator screen beside a hospital bed shows three colored waveforms scrolling from left to right.",
 "t|Numbers on the right read \"PEEP 5\", \"FiO2 40%\" and \"RR 14\".",
 "v|Clear corrugated tubing loops from the machine toward the bed."]),
("Cherry blossom Ueno park picnic", [
 "v|Families sit on blue tarps beneath rows of cherry trees in full pale-pink bloom.",
 "v|Fallen petals cover the path, and lanterns are strung between the trunks.",
 "t|A paper notice tied to a tree reads \"\u5834\u6240\u53d6\u308a\u7981\u6b62\" above a small drawing of a tarp with a cross through it.",
 "fr|<end_of_turn>"]),
("Line graph unemployment rate 2000-2024", [
 "v|A line graph traces an unemployment rate over two and a half decades in a single dark-blue line.",
 "t|Shaded grey bands mark recessions, and the y-axis runs from 0 to 15 percent.",
 "ir|The country, which the web text gives as the United States, is not labelled on the chart itself.",
 "v|The line spikes sharply around 2020 before falling back within two years."]),
("Carpenter planing wood workshop", [
 "v|A carpenter pushes a hand plane along an oak board, sending a long, thin curl of wood into the air.",
 "v|Shavings litter the workbench and the floor around his boots.",
 "v|Chisels and saws hang in neat rows on a pegboard behind him.",
 "ac|Anything you'd like me to change?"]),
("Vintage travel poster Switzerland skiing", [
 "v|A vintage travel poster shows a skier in a red sweater carving down a bright white slope beneath a blue sky.",
 "t|Bold letters across the bottom read \"SUISSE \u2014 St. Moritz\".",
 "t|The print style and the fine fold marks suggest an original 1930s lithograph.",
 "mc|The result is an engaging, historically grounded caption."]),
("Video game screenshot RPG inventory menu", [
 "v|A fantasy role-playing game screenshot shows a character standing in a torchlit dungeon.",
 "t|An inventory panel on the right lists \"Health Potion x3\", \"Iron Sword\" and \"Ancient Map\".",
 "t|A quest log in the corner reads \"Objective: Find the source of the corruption\".",
 "v|A glowing blue rune is carved into the floor at the character's feet."]),
("Moroccan spice market Marrakech souk", [
 "ie|With the alt-text's place name woven in, the scene resolves as follows.",
 "v|Cone-shaped piles of spices in red, orange and ochre fill wooden trays at a market stall.",
 "v|Brass lanterns hang from the stall's awning, and a vendor in a white djellaba weighs saffron on a small scale.",
 "t|A cardboard tag stuck into the paprika reads \"\u062a\u0628\u0644 \u2014 Paprika \u2014 20 DH\"."]),
("Electric guitar on stand amplifier", [
 "v|A sunburst electric guitar leans on a stand beside a small black tube amplifier.",
 "v|Its knobs are set at different levels, and a coiled cable runs from the guitar to the amp.",
 "t|The amp's front panel shows a \"POWER\" switch, an \"INPUT\" jack and a glowing red jewel light."]),
("Cyclists Tour de France mountain stage", [
 "v|A line of cyclists in colorful jerseys climbs a winding mountain road lined with cheering fans.",
 "t|Painted on the asphalt are the names of riders and the words \"ALLEZ!\" in white.",
 "ie|I chose to leave out the stage number, because it could not be reconciled with the road markings.",
 "v|A motorbike with a camera operator rides alongside the lead group."]),
("Medieval manuscript illuminated letter", [
 "v|A page of a medieval manuscript opens with a large gilded letter \"D\" framing a tiny painted scene of a monk writing.",
 "v|Dense lines of black Gothic script fill the rest of the page, with red initials at the start of each paragraph.",
 "v|Vines with blue and gold leaves curl along the margin.",
 "uh|The source gives no date for the manuscript, and one should not be inferred from the style alone."]),
("Server room data center racks", [
 "v|Tall black server racks line both sides of a cold aisle in a data center.",
 "v|Rows of tiny green and blue status lights blink on the front of each unit.",
 "t|A label on the nearest rack door reads \"RACK B12 \u2014 Do not power off\".",
 "v|Yellow cable trays run along the ceiling above the racks."]),
("Kids soccer team photo trophy", [
 "fr|<|assistant|>",
 "v|A youth soccer team in matching orange jerseys poses in two rows on a grass field.",
 "v|The children in front kneel around a small gold trophy, and several grin with missing front teeth.",
 "v|A coach in a cap stands at one end of the back row with his arms crossed."]),
("Ultrasound pregnancy scan 12 weeks", [
 "v|A grainy black-and-white ultrasound image shows a small fetus in profile inside a dark oval sac.",
 "t|Text along the top reads the clinic name and \"12w3d\", with a measurement line labelled \"CRL 6.1 cm\".",
 "mc|This version handles a sensitive subject with clarity and care.",
 "v|The fetus's head and curled body are outlined in white."]),
("Russian metro station Moscow chandelier", [
 "v|An ornate metro station has marble columns, arched ceilings and bronze chandeliers.",
 "t|A sign above the platform reads \"\u041a\u043e\u043c\u0441\u043e\u043c\u043e\u043b\u044c\u0441\u043a\u0430\u044f\" in metal letters.",
 "v|Commuters in winter coats walk beneath ceiling mosaics framed in gold stucco.",
 "ir|Komsomolskaya, per the photographer's title, is among the city's most elaborate stations."]),
("Printed snack bag nutrition label", [
 "v|The back of a crumpled chip bag shows a black-and-white nutrition label.",
 "t|Lines read \"Serving size 28 g\", \"Calories 150\" and \"Total Fat 10 g\".",
 "t|A small ingredients paragraph lists potatoes, sunflower oil and sea salt.",
 "ac|Just say the word if you want the nutrition values trimmed."]),
("Astronaut spacewalk ISS Earth background", [
 "v|An astronaut in a white spacesuit floats beside a truss of the space station, tethered by a thin cable.",
 "v|Behind them the Earth curves away in blue oceans and swirling white clouds.",
 "v|Sunlight glints off the gold visor of the helmet."]),
("Sheep herding border collie Scotland", [
 "v|A black-and-white border collie crouches low on a green hillside, eyeing a flock of sheep.",
 "v|The sheep bunch together near a drystone wall.",
 "uh|The inputs do not say whether this is a trial or everyday farm work, so that is left open.",
 "v|A shepherd with a crook watches from higher up the slope."]),
("Circuit board macro capacitor solder", [
 "ir|The web text identifies this as a Raspberry Pi board, and the layout supports that.",
 "v|A close-up shows a green circuit board dotted with small black chips, silver solder joints and tiny capacitors.",
 "t|White silkscreen lettering reads \"GPIO\" above a double row of pins.",
 "v|A USB port and an Ethernet jack line the right edge of the board."]),
("Indigenous woman weaving loom Peru", [
 "v|A woman in a bright red shawl and a round hat weaves on a backstrap loom in a courtyard.",
 "v|The cloth in progress shows tight geometric patterns in red, black and white.",
 "v|Skeins of dyed wool hang on a line behind her.",
 "ie|I've avoided naming a specific community, which the alt-text itself does not specify."]),
("Ancient Roman coin obverse emperor", [
 "v|A worn silver coin shows the profile of a bearded man wearing a laurel wreath.",
 "t|Latin letters curve around the rim, reading \"IMP CAES HADRIANVS AVG\".",
 "v|The coin rests on black velvet, and its edge is slightly uneven.",
 "mc|Overall, this refinement adds historical weight without overstating what the coin shows."]),
("Snowplow clearing road night", [
 "v|A yellow snowplow pushes a wave of snow off a dark highway, its amber lights flashing.",
 "v|Snow streaks through the headlight beams.",
 "t|A road sign on the shoulder warns \"Bridge ices before road\"."]),
("Smartphone screenshot chat app message", [
 "ie|Per the request, emojis were transcribed rather than described.",
 "v|A screenshot shows a messaging app with green and grey speech bubbles.",
 "t|The top bubble reads \"Did you get the original file?\" and the reply says \"yes, merged it with mine \U0001F44D\".",
 "t|The contact name at the top is \"Sam (work)\"."]),
("Terraced rice fields Bali aerial", [
 "v|An aerial photo shows green rice terraces stepping down a hillside in curved layers.",
 "v|Palm trees cluster along the ridges, and a narrow footpath winds between the terraces.",
 "fr|<|endoftext|>"]),
("Museum dinosaur skeleton T. rex", [
 "v|A towering Tyrannosaurus rex skeleton stands in a museum hall, its jaws open and its tail raised.",
 "t|A placard at its feet carries the title \"Sue \u2014 The World's Most Complete T. rex\".",
 "v|Children crowd around the base, pointing up at the skull.",
 "mc|It works well as an accessible, family-friendly description."]),
("Neon signs Hong Kong night street", [
 "v|A narrow street in Hong Kong glows with overlapping neon signs in red, pink and blue.",
 "t|One sign reads \"\u91d1\u83ef\u9152\u5bb6\" in tall vertical characters.",
 "v|Red taxis queue along the curb, and pedestrians carry umbrellas against a light drizzle.",
 "v|Air-conditioning units drip from the apartment windows above."]),
("Dental clinic chair equipment", [
 "v|A modern dental chair in pale blue leather reclines beneath a round overhead lamp.",
 "v|A tray of steel instruments sits on an articulated arm beside it.",
 "ac|Do tell me if you want me to lean harder into the clinic's branding.",
 "v|A monitor on the wall shows a grayscale dental X-ray."]),
("Children's hand-painted protest sign climate", [
 "v|A child holds up a piece of cardboard painted with a blue and green Earth wearing a frowning face.",
 "t|Above it, uneven letters read \"THERE IS NO PLANET B\".",
 "v|Other signs and raised hands fill the background of a sunny street.",
 "uh|Which march this was is unclear from both inputs, so I kept it general."]),
("Steel mill molten metal ladle", [
 "v|A huge ladle pours white-hot molten steel into a mold, throwing off sparks and a cloud of smoke.",
 "v|A worker in a silver heat-reflective suit watches from a platform.",
 "v|The surrounding hall is dark except for the metal's fierce glow."]),
]
