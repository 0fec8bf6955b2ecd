P2 = [
("Hokusai Great Wave print museum display", [
 "v|A framed woodblock print of a towering blue wave curling over three narrow boats hangs on a grey gallery wall.",
 "v|Mount Fuji sits small and snow-capped in the distance, framed by the wave's clawed crest.",
 "t|A museum label beside the frame gives the title card \"Under the Wave off Kanagawa, c. 1831\" in English and Japanese.",
 "ac|Let me know if you'd like a shorter version for social media."]),
("Cross-section of a leaf under light microscope 40x", [
 "mc|Offered here is a polished, accurate account of the specimen that a biology student could rely on.",
 "v|A light micrograph shows a cross-section of a leaf, stained pink and purple.",
 "v|A single row of tightly packed palisade cells sits beneath the upper epidermis, above a looser spongy layer full of air spaces.",
 "v|A vascular bundle with thick-walled xylem cells forms a dark ring near the center."]),
("Women sorting tea leaves Assam plantation", [
 "v|Three women in bright saris sit on a concrete floor, sorting heaps of green tea leaves into woven baskets.",
 "v|Sunlight slants through an open shed door behind them, lighting dust in the air.",
 "v|One woman looks up at the camera with a small smile while her hands keep working.",
 "uh|The plantation's name is not given anywhere in what I was provided, so the location is described only as Assam."]),
("Scoreboard NBA Finals game 7 final", [
 "fr|[INST]",
 "t|An arena jumbotron shows the final score, \"BOS 108 \u2013 DAL 101\", above the word \"FINAL\".",
 "v|Confetti in green and white drifts down through the beams of the overhead lights.",
 "v|Players in green jerseys embrace near center court as photographers crowd the baseline.",
 "fr|[/INST]"]),
("bokeh portrait golden hour 85mm", [
 "v|A young man with curly hair and a denim jacket looks past the camera in warm evening light.",
 "v|The background dissolves into soft golden discs of light from a row of trees.",
 "v|Freckles and a faint scar on his chin are visible in the sharp focus on his face."]),
("Hanoi motorbike traffic Old Quarter", [
 "v|Dozens of motorbikes flow through a narrow street in Hanoi's Old Quarter, their riders wearing helmets and face masks.",
 "t|Shop signs above the street read \"Ph\u1edf B\u00f2\" and \"T\u1ea1p H\u00f3a\" in bold red letters on yellow boards.",
 "ir|These signs, echoing the Old Quarter location noted in the alt text, mark small family-run businesses.",
 "v|Tangles of electrical cables hang between the buildings above the traffic."]),
("CNC milling machine aluminum part coolant", [
 "ie|By combining both descriptions, the coolant detail and the machine type now sit in one account: a CNC milling spindle cuts into a block of aluminum under a spray of milky coolant.",
 "v|Bright curls of metal chips pile up around the vise holding the part.",
 "t|The control screen in the corner shows \"PROGRAM O1024\" and a spindle speed of 8000 RPM.",
 "v|Through the machine's glass door, the tool glints as it traces a curved pocket."]),
("Child's drawing of dinosaur with name label", [
 "v|A marker drawing shows a big green dinosaur with a long neck and tiny red spots along its back.",
 "t|Next to it, a child has written \"BRONTOSORUS by LEO age 6\" in wobbly letters.",
 "v|A bright blue volcano in the corner spurts orange lava, and three palm trees stand at the dinosaur's feet.",
 "mc|It is a heartfelt description that honors both the drawing and the young artist behind it."]),
("Antique brass microscope 19th century", [
 "v|A brass monocular microscope with a curved arm and a round mirror stands on a dark wooden base.",
 "uh|The nineteenth-century date cannot be verified from the image and rests solely on the seller's claim.",
 "v|Fine scratches and a warm patina cover the barrel and the stage clips.",
 "t|An engraved plate on the foot reads \"R. & J. Beck, London\" in a flowing script."]),
("Thai market sign Bangkok Chatuchak", [
 "v|A covered market aisle is crowded with stalls selling potted plants, ceramics and dried flowers.",
 "t|A hanging sign reads \"\u0e15\u0e25\u0e32\u0e14\u0e19\u0e31\u0e14\u0e08\u0e15\u0e38\u0e08\u0e31\u0e01\u0e23\" above the English words \"Chatuchak Weekend Market\".",
 "v|A woman in a straw hat waters a row of orchids while customers browse.",
 "v|Fans mounted on the roof beams stir the warm air over the stalls."]),
("Screenshot settings menu dark mode iPhone", [
 "v|A phone screenshot shows a dark-themed settings menu with white text on black.",
 "t|The rows read \"Display & Brightness\", \"Text Size\" and \"Bold Text\", with a toggle switched on beside the last.",
 "t|At the top, a heading says \"Appearance\" with two previews labelled \"Light\" and \"Dark\".",
 "ac|Happy to adjust the wording if you need it to match an accessibility guide!"]),
("Ruins of Palmyra colonnade sunrise", [
 "ir|Drawing on the source text, the ruins are those of ancient Palmyra in Syria.",
 "v|A long colonnade of weathered sandstone columns stretches across a dusty plain at sunrise.",
 "v|Low, warm light picks out the carved capitals and throws long shadows toward the camera.",
 "v|A broken arch stands at the far end against a pale pink sky."]),
("Pediatric dental x-ray panoramic mixed dentition", [
 "v|A panoramic dental X-ray shows a child's upper and lower jaws in a wide arc.",
 "v|Unerupted adult teeth sit stacked above and below the smaller baby teeth, like a second row waiting in the bone.",
 "t|The top corner shows the text \"PAN \u2014 L / R\" and a clinic code.",
 "ie|I avoided repeating the patient's age, which was already clear from the mixed dentition."]),
("Fashion week runway red gown Milan", [
 "fr|### Caption",
 "v|A model walks a white runway in a sweeping red gown with a high neck and a long cape trailing behind her.",
 "v|Rows of seated guests line both sides, many holding up phones to film.",
 "v|Spotlights overhead leave the audience in shadow while the gown glows in saturated color."]),
("Mortar and pestle spices Indian kitchen", [
 "v|A heavy stone mortar holds cracked black peppercorns, green cardamom pods and a broken cinnamon stick.",
 "v|Small steel bowls around it contain turmeric, red chili powder and cumin seeds.",
 "v|A wooden pestle rests across the rim, dusted with yellow powder.",
 "ie|No mention of the specific dish was added, because nothing on the counter shows what is being cooked."]),
("Aerial photo container port Rotterdam", [
 "v|An aerial photo looks straight down on a container terminal, where stacks of colored boxes form a grid like a circuit board.",
 "v|Two massive ships are moored along the quay, each served by a row of blue gantry cranes.",
 "mc|Crucially, this version balances precise visual description with geographic context, making it both vivid and informative.",
 "v|Straddle carriers move between the stacks on narrow lanes."]),
("Infographic water cycle for kids", [
 "v|A colorful infographic shows the water cycle with arrows looping between a sea, a cloud and a mountain.",
 "t|Labels read \"Evaporation\", \"Condensation\", \"Precipitation\" and \"Collection\" along the arrows.",
 "t|A box at the bottom headed \"Summary\" reads \"Water moves around and around our planet!\"",
 "v|A smiling cartoon sun sits in the upper left corner."]),
("Istanbul ferry Bosphorus seagulls", [
 "uh|Exactly which ferry route this is cannot be determined from the inputs.",
 "v|Seagulls hover beside the rail of a white ferry crossing wide blue water.",
 "v|On the far shore, the domes and minarets of mosques rise above a dense hillside of buildings.",
 "t|A life ring on the rail is stenciled with \"\u015eEH\u0130R HATLARI\" in red."]),
("Leaky faucet plumbing repair close-up", [
 "v|A chrome kitchen faucet drips a single bead of water into a stainless steel sink.",
 "v|Mineral scale has built up in a chalky white ring around the base of the spout.",
 "ac|Thanks for sending both versions \u2014 they made this an easy one to write."]),
("1969 Moon landing TV broadcast screenshot", [
 "v|A grainy black-and-white TV frame shows a ghostly astronaut figure stepping down a ladder onto a lunar surface.",
 "t|A caption bar along the bottom reads \"LIVE FROM THE SURFACE OF THE MOON\".",
 "ie|The alt-text's date was preserved, while its duplicate mention of Apollo 11 was trimmed.",
 "v|The picture is streaked with horizontal scan lines and heavy contrast."]),
("Steam locomotive coal loading historic", [
 "v|A black steam locomotive stands beneath a wooden coaling tower while coal pours into its tender.",
 "v|Two workers in flat caps and overalls watch from the gantry, faces smudged with soot.",
 "v|White steam leaks from the cylinders and drifts across the yard."]),
("Greek bakery sign Athens \u03c6\u03bf\u03cd\u03c1\u03bd\u03bf\u03c2", [
 "v|A small bakery storefront in Athens has a glass window stacked with round sesame-covered bread rings.",
 "t|A painted sign above the door reads \"\u03a6\u039f\u03a5\u03a1\u039d\u039f\u03a3\" in white capitals on a blue board.",
 "ir|Koulouri, as the alt text calls these rings, are a common breakfast snack in the city.",
 "v|A man in a grey sweater waits at the counter with a paper bag in hand."]),
("Cardiac ECG printout atrial fibrillation", [
 "v|A strip of pink ECG paper shows an irregular heart rhythm traced in black ink across a fine red grid.",
 "v|The spacing between the tall spikes varies from beat to beat, and the baseline wavers without clear small bumps.",
 "t|Printed text in the header reads \"25 mm/s 10 mm/mV\" and \"Lead II\".",
 "uh|While the alt text labels this atrial fibrillation, that diagnosis isn't something a description can responsibly confirm."]),
("Botanical illustration of fern, antique plate", [
 "v|An antique botanical plate shows a fern frond in careful pen and watercolor, with brown spore clusters on the undersides of its leaflets.",
 "v|A magnified detail of a single leaflet sits in a circle to the right.",
 "t|The Latin name \"Polypodium vulgare\" is printed beneath the drawing in italic type.",
 "fr|</s>"]),
("Rush hour Mumbai local train crowded", [
 "ac|Sure thing!",
 "v|Commuters pack the open doorway of a crowded suburban train, some hanging onto the rails with one hand.",
 "v|The train is painted in faded cream and maroon, and the platform beside it is also thick with people.",
 "t|A yellow station board shows the name in Devanagari, English and Gujarati."]),
("Pie chart household energy use", [
 "v|A pie chart divides household energy use into five colored slices.",
 "t|The largest slice, in orange, is labelled \"Heating 42%\", followed by \"Water heating 18%\".",
 "t|A note under the chart reads \"Data provided by the national energy agency\".",
 "v|The chart sits on a plain white background with a thin grey border."]),
("Doctor's handwritten prescription note", [
 "v|A small prescription pad sheet is covered in quick, slanted handwriting in black ink.",
 "t|The printed header reads \"Dr. A. Moreau \u2014 M\u00e9decine g\u00e9n\u00e9rale\" with a Paris address.",
 "v|A rubber stamp and a scribbled signature fill the lower right corner.",
 "uh|Much of the handwriting is illegible, and I'd rather not guess at the medication names the alt text hints at."]),
("Lego set box Millennium Falcon", [
 "v|A large cardboard Lego box shows the assembled Millennium Falcon model flying against a starry background.",
 "t|Text on the box reads \"75192\", \"16+\" and \"7541 pcs\" in white type along the bottom.",
 "t|A small \"Original Trilogy\" badge appears in the upper corner beside the Star Wars logo.",
 "mc|This caption now gives a thorough, accurate view of the product."]),
("Volcano eruption lava flow Iceland night", [
 "ir|Location, per the uploader's tags: Iceland's Reykjanes peninsula.",
 "v|Bright orange lava fountains from a fissure in a dark lava field at night.",
 "v|Rivers of molten rock glow as they spread down the slope, and a plume of steam rises lit from below.",
 "v|Tiny silhouettes of onlookers stand on a ridge in the foreground, giving a sense of scale."]),
("Garment factory sewing machines Bangladesh", [
 "ie|In keeping with the instructions, only observable details appear below.",
 "v|Long rows of workers sit at sewing machines under fluorescent tubes in a large factory hall.",
 "v|Bright blue shirts pile up on the tables between them.",
 "t|A banner on the far wall reads \"Quality First\" in English and Bengali."]),
("Oak tree in fog field", [
 "v|A lone oak tree with wide, bare branches stands in a field softened by thick fog.",
 "v|The grass in the foreground is silvered with dew, and the background fades to white.",
 "ie|The season went unmentioned, and I did not guess at one."]),
("Old Tbilisi balconies Georgian script sign", [
 "v|Carved wooden balconies painted teal and white lean out over a steep cobbled lane.",
 "t|A small shop sign reads \"\u10e6\u10d5\u10d8\u10dc\u10dd\" in the rounded Georgian script, with a painted bunch of grapes.",
 "v|Vines climb a drainpipe between the houses, and a cat sits on a stone step.",
 "ir|This matches the Old Tbilisi setting the caption writer supplied."]),
("Vintage NASA mission control photo 1965", [
 "v|Rows of men in white shirts and thin ties sit at consoles lined with switches and small screens.",
 "v|A large wall display at the front shows a world map with a curving orbital track.",
 "fr|Description:",
 "v|Cigarette smoke hangs faintly in the air above the consoles."]),
]
