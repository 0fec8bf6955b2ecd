# Hand-written captions, part 3.
D3 = [
("Nike Air Jordan 1 Retro High OG Chicago 2015", [
 ("Caption (final):", "fr"),
 ("A single Air Jordan 1 Retro High OG sneaker in the Chicago colourway is shown in side profile.", "v"),
 ("The leather upper is white with red overlays, a black swoosh and a black collar.", "v"),
 ('The "Wings" logo is embossed on the ankle flap.', "v"),
 ("Word count: 52.", "mc")]),
("Beautiful mountain landscape with lake reflection Canada Moraine Lake", [
 ("Moraine Lake in Canada's Banff National Park reflects a row of jagged snow-capped peaks in its turquoise water.", "v"),
 ("The water is very turquoise, a bright turquoise blue colour that is typical of glacial lakes.", "v"),
 ("I am not sure which exact peaks these are because the given text only says mountain landscape.", "uh"),
 ("Pine forest covers the lower slopes down to the shore.", "v"),
 ("A pile of boulders sits in the foreground on the left.", "v"),
 ("This is a beautiful description of a beautiful place.", "mc"),
 ("The sky is clear with a few wispy clouds.", "v"),
 ("I hope you enjoy this caption!", "ac")]),
("Siemens MRI scanner Magnetom", [
 ("Absolutely, happy to help with this one.", "ac"),
 ("A Siemens Magnetom MRI scanner occupies a bright examination room.", "v"),
 ("The patient table slides into the large white bore, and a head coil rests at its end.", "v"),
 ('A screen on the front of the gantry shows an empty patient-name field and "Protocol: Brain Routine".', "t"),
 ("Ceiling panels printed with a blue sky scene hang above the table.", "v")]),
("pizza margherita wood fired neapolitan", [
 ("Combined description below.", "mc"),
 ("A Neapolitan margherita pizza comes straight out of a wood-fired oven on a metal peel.", "v"),
 ("Its puffy crust is leopard-spotted with char, and torn basil leaves sit on pools of melted mozzarella.", "v"),
 ("Glowing embers are visible at the back of the dome-shaped oven.", "v")]),
("Periodic table poster classroom", [
 ("A colourful periodic table poster hangs on a classroom wall.", "v"),
 ('Each element box shows the symbol, atomic number and name, with a key titled "Element Categories" at the top.', "t"),
 ('A small line at the bottom reads "Source: IUPAC 2021".', "t"),
 ("The noble gases on the right are coloured purple.", "v")]),
("image", [
 ('With only the word "image" as alt text, every detail here comes from the picture itself.', "uh"),
 ("A red double-decker bus drives across a bridge under a grey sky.", "v"),
 ("Its windows reflect the river below.", "v"),
 ("A cyclist in a yellow jacket rides in the lane beside it.", "v")]),
("Stainless steel kitchen knife set 15 pieces with block", [
 ("On the picture is a knife set of 15 pieces in stainless steel, standing in a black wooden block.", "v"),
 ("The handles are black with three rivets each, and there is also a pair of scissors and a sharpening rod.", "v"),
 ("I have took the number of pieces from the product name and put it together with what is seen.", "ie"),
 ("The background is fully white like a catalog photo.", "v")]),
("Amsterdam canal houses bicycles", [
 ("Narrow gabled canal houses line a canal in Amsterdam.", "v"),
 ("Dozens of bicycles are locked to the railings along the water.", "v"),
 ("(Tell me if you want the Dutch name of the canal.)", "ac"),
 ("A small boat with tourists passes under an arched brick bridge.", "v")]),
("1967 Ford Mustang Fastback restored for sale no reserve", [
 ("A restored 1967 Ford Mustang Fastback in dark Highland Green sits in a garage under bright lights.", "v"),
 ("Its chrome bumpers and Magnum 500 wheels gleam.", "v"),
 ("It is being sold with no reserve, according to the listing.", "ir"),
 ("The hood is open, revealing a polished V8 engine.", "v")]),
("Scatter plot gene expression volcano plot RNA-seq", [
 ("A volcano plot from an RNA-seq experiment shows thousands of genes as small dots.", "v"),
 ("Significantly up-regulated genes are red on the right, down-regulated genes are blue on the left, and the rest are grey.", "v"),
 ('The x-axis is labelled "log2 fold change" and the y-axis "–log10 p-value".', "t"),
 ("Which organism or tissue this comes from is not given in either input.", "uh"),
 ("A few top genes are labeled with their names.", "v")]),
("Marrakech spice market", [
 ("### Caption", "fr"),
 ("Cone-shaped heaps of spices in red, yellow and orange fill baskets at a stall in the souk of Marrakech.", "v"),
 ('Handwritten cards in French and Arabic name each spice, like "Cumin" and "Paprika".', "t"),
 ("A vendor in a djellaba sits on a stool behind the display.", "v")]),
("Super Mario Bros Wonder gameplay screenshot", [
 ("A gameplay screenshot from Super Mario Bros Wonder shows Mario jumping over a row of green pipes.", "v"),
 ("Bright Wonder Flowers float above the level, and the sky is a bold cartoon blue.", "v"),
 ("Note that this caption sticks to the visible game elements.", "mc"),
 ("The HUD in the corner shows a coin counter at 87 and a timer.", "t")]),
("Honey jar product photo organic raw wildflower 500g", [
 ("Of course!", "ac"),
 ("Happy to help.", "ac"),
 ("A glass jar of raw organic wildflower honey, 500 g, stands on a wooden table beside a honey dipper.", "v"),
 ("The honey is golden and slightly cloudy, with a kraft paper label tied with twine.", "v"),
 ("Dried flowers are scattered around the jar.", "v")]),
("Ethiopian coffee ceremony jebena", [
 ("A woman performs a traditional Ethiopian coffee ceremony, pouring coffee from a black clay jebena into small cups.", "v"),
 ("Incense smoke rises from a burner beside a tray of popcorn.", "v"),
 ("Fresh green grass is scattered on the floor around her.", "v"),
 ("Her name, if anyone ever knew it, was not in the alt text.", "uh")]),
("Ferris wheel at night long exposure", [
 ("A Ferris wheel spins at night, captured in a long exposure so its lights blur into glowing circles.", "v"),
 ("People walk past at the bottom as faint streaks.", "v"),
 ("The sky is deep blue just after sunset.", "v")]),
("Dental X-ray panoramic", [
 ("Caption:", "fr"),
 ("A panoramic dental X-ray shows the full upper and lower jaws in shades of grey.", "v"),
 ("Several teeth have bright white fillings, and a wisdom tooth in the lower left lies sideways.", "v"),
 ("Any diagnosis beyond this isn't possible from the provided inputs.", "uh"),
 ("<|im_end|>", "fr")]),
("Stock photo: Happy senior couple walking on beach", [
 ("A senior couple walks hand in hand along a sandy beach at sunset.", "v"),
 ("The woman wears a white linen dress and the man has rolled his trousers up to the knee.", "v"),
 ("Small waves wash over their feet.", "v"),
 ("All key elements have now been covered.", "mc")]),
("Lecture slide machine learning overfitting", [
 ("A lecture slide explains overfitting in machine learning.", "v"),
 ('The slide is headed "Summary" and lists three bullet points about training error and test error.', "t"),
 ("A plot on the right shows a wiggly curve passing through every data point.", "v"),
 ('The footer reads "Lecture 7 – Input features and regularization".', "t"),
 ("Ping me if you need a shorter cut.", "ac")]),
("Toyota Hilux 4x4 off road mud", [
 ("A white Toyota Hilux 4x4 pickup splashes through a deep mud puddle on a forest track.", "v"),
 ("Merged: vehicle model from alt, action from the dense caption.", "ie"),
 ("Brown mud sprays up over the bonnet and the windscreen.", "v"),
 ("A snorkel rises along the A-pillar.", "v")]),
("Printed circuit board close up macro", [
 ("A macro shot shows a green printed circuit board covered in tiny surface-mount components.", "v"),
 ('White silkscreen labels such as "R12", "C7" and "PWR IN" mark each part.', "t"),
 ("A barrel connector serving as the power input sits at the edge of the board.", "t"),
 ("Shallow depth of field blurs the far side of the board.", "v")]),
("Hong Kong neon signs Mong Kok", [
 ("Okay, here's what I came up with.", "ac"),
 ("Neon signs in Chinese characters hang over a crowded street in Mong Kok, Hong Kong.", "v"),
 ('One large red sign reads "大押", marking a pawn shop.', "t"),
 ("Red taxis and double-decker trams fill the road below.", "v"),
 ("Cheers!", "ac")]),
("Portrait of a Lady, Rogier van der Weyden, c. 1460, National Gallery of Art", [
 ("A small 15th-century oil portrait shows a young woman in a white, wing-like headdress against a dark background.", "v"),
 ("Her hands are folded, and her eyes look downward.", "v"),
 ("The painter and date are stated in the museum's alt text as Rogier van der Weyden, around 1460.", "ir"),
 ("A thin gold belt crosses her dark dress.", "v")]),
("Electric scooter Xiaomi Pro 2 folded", [
 ("A black Xiaomi Pro 2 electric scooter is shown folded on a white background.", "v"),
 ("The stem folds down onto the deck, and the handlebar has a small LED display.", "v"),
 ("Red accents mark the rear brake and the hook.", "v"),
 ("---", "fr")]),
("wildfire California smoke satellite", [
 ("A satellite image shows thick grey-brown smoke streaming west from wildfires in California over the Pacific Ocean.", "v"),
 ("Active fire spots appear as red dots along the mountains.", "v"),
 ("It is unclear from the sources which year or which fire this is.", "uh"),
 ("The coastline and the Central Valley are visible under thinner haze.", "v")]),
("Crochet amigurumi bunny pattern free", [
 ("Here's the refined caption, now tighter and more descriptive.", "mc"),
 ("A small crocheted amigurumi bunny in pastel pink sits on a white knitted blanket.", "v"),
 ("It has long floppy ears, black safety eyes and a tiny embroidered nose.", "v"),
 ("A ball of yarn and a crochet hook lie next to it.", "v")]),
("Fishing boats Essaouira harbour blue", [
 ("Dozens of blue wooden fishing boats are moored close together in the harbour of Essaouira, Morocco.", "v"),
 ("Seagulls circle above while fishermen untangle nets on the quay.", "v"),
 ("The old city walls rise in the background.", "v"),
 ("Fresh sardines glitter in crates on the ground.", "v")]),
("Cocktail negroni orange peel bar", [
 ("A Negroni in a crystal rocks glass sits on a dark bar counter, garnished with a twist of orange peel.", "v"),
 ("In a nutshell, it's a classic moody bar shot.", "mc"),
 ("A large clear ice cube fills most of the glass.", "v"),
 ("Bottles glow on backlit shelves behind.", "v")]),
("Semiconductor wafer cleanroom", [
 ("A technician in a white cleanroom suit holds up a silicon wafer with tweezers.", "v"),
 ("The wafer's surface shines with rainbow colours from the grid of chips etched on it.", "v"),
 ("Yellow lighting fills the cleanroom.", "v"),
 ("Everything from both sources is woven into these three sentences.", "ie")]),
("Historic photo Berlin wall fall 1989", [
 ("Crowds stand on top of the Berlin Wall at night in November 1989, cheering and waving.", "v"),
 ("Some people chip at the concrete with hammers.", "v"),
 ("I can't verify the exact date from the image alone, so it was taken from the alt.", "uh"),
 ("Graffiti covers the western face of the wall.", "v")]),
("Cute baby elephant mud bath Kenya", [
 ("Fused caption →", "fr"),
 ("A baby elephant rolls in a mud wallow in Kenya, its skin coated in wet brown mud.", "v"),
 ("Its trunk is raised and curled playfully.", "v"),
 ("Adult elephants stand nearby, partly cut off by the frame.", "v")]),
("Bus stop advertisement new phone launch", [
 ("A bus-stop billboard advertises a new smartphone launch.", "v"),
 ('In big letters it says "The original. Redefined."', "t"),
 ('A smaller line reads "Share your photo caption with #NewPhone".', "t"),
 ("A woman waits on the bench under the ad, checking her phone.", "v")]),
("Diagram human heart anatomy", [
 ("An anatomical diagram of the human heart shows its four chambers in cross section.", "v"),
 ("Oxygen-rich blood is coloured red and oxygen-poor blood blue, with arrows showing the flow.", "v"),
 ("Labels name the aorta, the pulmonary artery and the left and right ventricles.", "t"),
 ("Terminology was corrected where the original caption misspelled 'ventricle'.", "ie"),
 ("The diagram sits on a plain white background.", "v")]),
("Kid birthday party balloons cake", [
 ("A girl in a paper crown blows out five candles on a pink birthday cake.", "v"),
 ("Other children crowd around the table, clapping.", "v"),
 ("Bunches of pastel balloons are tied to the chairs.", "v"),
 ("Enjoy!", "ac")]),
("Industrial robot arm welding car body KUKA", [
 ("Orange KUKA industrial robot arms weld a car body on an automated assembly line.", "v"),
 ("Sparks shower from the welding tips.", "v"),
 ("Whether the car is a specific model cannot be said, as nothing about it was supplied.", "uh"),
 ("The car body is bare grey metal without doors.", "v")]),
("Baby clothes onesie organic cotton 0-3 months", [
 ("A white organic cotton onesie for babies is laid flat on a white background.", "v"),
 ("It has short sleeves, an envelope neckline and three snap buttons at the bottom.", "v"),
 ("A small print of a smiling sun decorates the chest.", "v"),
 ("Size 0-3 months is from the product description.", "ir")]),
("Moscow metro station Komsomolskaya chandeliers", [
 ("The ornate hall of Komsomolskaya metro station in Moscow has a yellow vaulted ceiling decorated with mosaics.", "v"),
 ("Large bronze chandeliers hang in a long row above the platform.", "v"),
 ('A sign in Cyrillic reads "Выход в город" above an exit.', "t"),
 ("Commuters hurry along the polished stone floor.", "v")]),
("Flat lay skincare products pastel", [
 ("Revised Caption:", "fr"),
 ("A flat lay of skincare products is arranged on a pastel pink background.", "v"),
 ("A serum bottle with a dropper, a white jar of cream and a tube of sunscreen are placed among eucalyptus leaves.", "v"),
 ("Soft shadows fall to the right.", "v")]),
("Quarry dump truck Komatsu huge", [
 ("A huge yellow Komatsu haul truck drives up a ramp in an open-pit quarry.", "v"),
 ("Now the caption reads naturally and includes the brand.", "mc"),
 ("Its tyres are taller than the worker standing beside it.", "v"),
 ("Terraced rock walls rise around it.", "v")]),
("Pasta carbonara recipe guanciale pecorino", [
 ("A plate of spaghetti carbonara is topped with crispy cubes of guanciale and grated pecorino.", "v"),
 ("I avoided repeating 'pasta' and 'carbonara' multiple times.", "ie"),
 ("Black pepper is sprinkled over the glossy, creamy sauce.", "v"),
 ("A fork twirls some spaghetti at the edge of the plate.", "v")]),
("Polar bear on sea ice Svalbard", [
 ("A polar bear walks across broken sea ice near Svalbard.", "v"),
 ("Its yellowish-white fur contrasts with the blue water between the floes.", "v"),
 ("Snow-covered mountains line the horizon.", "v"),
 ("I don't know the season; the inputs didn't say.", "uh")]),
]
