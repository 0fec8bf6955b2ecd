# Hand-written captions, part 4.
D4 = [
("Olympia SM3 typewriter 1960s working", [
 ("Sure, no problem!", "ac"),
 ("A 1960s Olympia SM3 portable typewriter in pale green sits on a wooden desk.", "v"),
 ("A sheet of paper is rolled into the carriage with a few typed lines.", "v"),
 ('The typed text reads "The quick brown fox jumps over the lazy dog."', "t"),
 ("Whether it works can't be seen in a still photo, though the alt text claims it does.", "uh")]),
("Shanghai skyline Pudong Lujiazui night", [
 ("Per the alt text: Pudong, Lujiazui, at night.", "ir"),
 ("The skyscrapers of Lujiazui in Shanghai's Pudong district glow across the Huangpu River.", "v"),
 ("The Oriental Pearl Tower's pink spheres stand out beside the twisting Shanghai Tower.", "v"),
 ("Tour boats with coloured lights cruise on the river.", "v"),
 ("Their reflections ripple on the dark water.", "v")]),
("Stack of pancakes with blueberries maple syrup", [
 ("Here is a more vivid version of the description.", "mc"),
 ("A tall stack of fluffy pancakes is topped with fresh blueberries and a pat of melting butter.", "v"),
 ("Maple syrup drips down the sides onto a blue ceramic plate.", "v"),
 ("A small jug of syrup stands behind it.", "v")]),
("Vintage Rolex Submariner 5513 watch", [
 ("<|im_start|>assistant", "fr"),
 ("A vintage Rolex Submariner reference 5513 lies on a brown leather surface.", "v"),
 ("The black dial has faded cream luminous markers, and the bezel insert has turned a soft grey.", "v"),
 ("The steel Oyster bracelet shows light scratches.", "v")]),
("Aerial view Dubai Palm Jumeirah", [
 ("The alt text doesn't mention when this was taken, but the palm is fully built.", "uh"),
 ("An aerial view shows Palm Jumeirah in Dubai, an artificial island shaped like a palm tree.", "v"),
 ("Villas with private beaches line each frond, and a crescent-shaped breakwater surrounds it.", "v"),
 ("The Atlantis hotel stands at the far end of the crescent.", "v")]),
("Kitten with yarn ball", [
 ("Keeping only the visible part of the alt text, the scene is simple.", "ie"),
 ("A white kitten bats at a ball of red yarn on a carpet.", "v"),
 ("Loose strands of yarn wrap around its front paws.", "v")]),
("Trading chart bitcoin candlestick 4h", [
 ("A screenshot of a trading app shows a Bitcoin candlestick chart on a 4-hour timeframe.", "v"),
 ("Green and red candles climb toward a peak near the right edge.", "v"),
 ('Buttons labelled "Buy" and "Sell" sit under a panel titled "Order Book".', "t"),
 ('A data line at the top reads "Source: Binance".', "t"),
 ("A purple moving-average line follows the candles.", "v")]),
("Sushi platter omakase", [
 ("Great image!", "ac"),
 ("An omakase sushi platter holds neat rows of nigiri on a dark slate board.", "v"),
 ("There is fatty tuna, salmon, sea urchin, and a piece of shrimp with its tail.", "v"),
 ("A mound of pink pickled ginger and a dab of wasabi sit in the corner.", "v")]),
("Mountain bike downhill race jump", [
 ("A mountain biker in a full-face helmet launches off a dirt jump during a downhill race.", "v"),
 ("Dust sprays behind the rear wheel, and pine trees fill the background.", "v"),
 ('He\'s racing, going by the alt text\'s "downhill race".', "ir"),
 ("Spectators watch from behind tape along the course.", "v")]),
("Bookshelf with cat sleeping", [
 ("A cat sleeps stretched out on top of a row of books on a wooden bookshelf.", "v"),
 ('The spines include a worn copy titled "The Original Folk and Fairy Tales".', "t"),
 ('Another spine reads "Collected Summaries of Shakespeare".', "t"),
 ("A small potted succulent sits at the end of the shelf.", "v")]),
("Hospital corridor empty", [
 ("Answer:", "fr"),
 ("An empty hospital corridor stretches into the distance under white fluorescent ceiling lights.", "v"),
 ("Blue handrails run along both walls, and a stretcher is parked beside a door.", "v"),
 ('A sign hangs from the ceiling pointing to "Radiology" and "Emergency".', "t")]),
("Cheap flights Europe travel deal banner", [
 ("The new caption blends the ad copy with the scene.", "mc"),
 ("A travel ad banner shows a plane flying over a sunny coastline.", "v"),
 ('Large white text reads "Cheap Flights to Europe – from €29".', "t"),
 ('A yellow button labelled "Book now" sits at the bottom right.', "t")]),
("Traditional Korean hanbok woman Gyeongbokgung", [
 ("A woman in a pink and green hanbok stands in front of a palace gate at Gyeongbokgung in Seoul.", "v"),
 ("The gate's roof has upturned eaves painted in green, red and blue patterns.", "v"),
 ("Note: I didn't include her name since it wasn't in the alt text.", "ie"),
 ("Other visitors in hanbok walk in the background.", "v"),
 ("</s>", "fr")]),
("Chart unemployment rate US 2000-2024", [
 ("Using the title from the source, this is the US unemployment rate from 2000 to 2024.", "ir"),
 ("A blue line chart rises sharply in 2009 and spikes to nearly 15 percent in 2020.", "v"),
 ("Grey shaded bars mark recessions.", "v"),
 ('Text at the bottom reads "Source: Bureau of Labor Statistics".', "t")]),
("Spiral staircase from above", [
 ("A spiral staircase is seen from directly above, its white steps forming a tight curl.", "v"),
 ("A black iron railing follows the spiral down to a checkered floor.", "v"),
 ("Light from a skylight falls across the steps.", "v")]),
("Homemade kimchi in jar", [
 ("Nothing in the inputs says how long it was fermented.", "uh"),
 ("A glass jar packed with homemade kimchi sits on a kitchen counter.", "v"),
 ("Red chili paste coats napa cabbage leaves pressed against the glass.", "v"),
 ("A pair of stainless chopsticks rests on the lid.", "v")]),
("Vintage NASA Space Shuttle launch 1981", [
 ("Thanks for sharing this one!", "ac"),
 ("The Space Shuttle Columbia lifts off in 1981 on a column of white smoke and bright orange flame.", "v"),
 ("The external fuel tank is painted white.", "v"),
 ("Water from the sound suppression system sprays around the launch pad.", "v")]),
("Coworking space laptop people", [
 ("People work on laptops at long shared tables in a bright coworking space.", "v"),
 ("To sum up, it is a modern, airy workspace.", "mc"),
 ("Hanging plants dangle from the exposed ceiling beams.", "v"),
 ("A barista counter is visible in the back.", "v")]),
("Hiking boots Salomon mens waterproof size 10", [
 ("A pair of grey Salomon waterproof hiking boots stands on a rock.", "v"),
 ("They have orange laces, a thick lugged sole and a reinforced toe cap.", "v"),
 ("Mud is splashed on the sides.", "v"),
 ("(Size 10, mens — listing data.)", "ir")]),
("Alps glacier retreat comparison 1920 2020", [
 ("Two photos side by side compare an Alpine glacier in 1920 and in 2020.", "v"),
 ("In the black-and-white photo on the left, thick ice fills the entire valley.", "v"),
 ("In the colour photo on the right, the ice has retreated far up the slope, leaving bare grey rock.", "v"),
 ("The glacier's name is not mentioned in what I received.", "uh"),
 ("The same mountain peak is visible in both.", "v")]),
("DIY wooden birdhouse plans", [
 ("Caption", "fr"),
 ("A wooden birdhouse with a pitched roof is mounted on a fence post in a garden.", "v"),
 ("It has a round entrance hole and a small perch below it.", "v"),
 ("Tags: DIY, birdhouse, woodworking.", "fr")]),
("Vietnamese coffee phin filter", [
 ("Vietnamese coffee drips slowly through a metal phin filter into a glass.", "v"),
 ("A layer of sweet condensed milk sits at the bottom of the glass.", "v"),
 ("Everything the alt text said fit, so I left nothing out.", "ie"),
 ("The glass stands on a red plastic stool at a street cafe.", "v")]),
("Shopping mall escalators", [
 ("Criss-crossing escalators connect several floors of a modern shopping mall.", "v"),
 ("Glass railings reflect the shop lights.", "v"),
 ('A directory board lists the stores under the heading "Store Listing – Level 2".', "t"),
 ("Shoppers carry paper bags up the escalators.", "v")]),
("Sheep herd New Zealand green hills", [
 ("A herd of sheep grazes on rolling green hills in New Zealand.", "v"),
 ("A farmer on a quad bike and two sheepdogs move them along a fence line.", "v"),
 ("Low clouds hang over the distant ridges.", "v"),
 ("Caption complete; nothing more to add.", "mc")]),
("Arabic calligraphy mosque interior", [
 ("Calligraphy in a mosque, as the title of the image puts it.", "ir"),
 ("Flowing Arabic calligraphy in gold runs around a dome of blue and white tiles inside a mosque.", "v"),
 ("A large chandelier hangs from the dome's centre.", "v"),
 ("Arched windows let in shafts of sunlight.", "v")]),
("Graphics card RTX 4090 Founders Edition", [
 ("An NVIDIA GeForce RTX 4090 Founders Edition graphics card lies on a black surface.", "v"),
 ("Its silver body has two large fans and a black fin stack visible through the frame.", "v"),
 ("A 16-pin power input connector sits at the top edge of the card.", "t"),
 ("Whether it is new or used cannot be determined from the supplied text.", "uh"),
 ("Need anything else?", "ac")]),
("Protest march climate change signs", [
 ("Protesters march down a city street holding handmade signs about climate change.", "v"),
 ('One sign reads "There is no Planet B", another "Listen to the science".', "t"),
 ("A girl sits on someone's shoulders waving a green flag.", "v"),
 ("Police officers walk alongside the march.", "v")]),
("Sardinia beach turquoise water", [
 ("Turquoise water laps against a white sand beach in Sardinia.", "v"),
 ("**Visual details:**", "fr"),
 ("Granite boulders frame the edges of the cove.", "v"),
 ("A few sun umbrellas dot the sand.", "v")]),
("Red panda in tree", [
 ("A red panda rests on a thick tree branch, its bushy ringed tail hanging down.", "v"),
 ("Its white-tipped ears and reddish fur stand out against green leaves.", "v"),
 ("It looks directly at the camera.", "v"),
 ("Dropped the zoo name since it's not shown.", "ie")]),
("Old Lada car in Havana", [
 ("A pale blue Lada sedan is parked on a street in Havana in front of a crumbling pastel building.", "v"),
 ('A hand-painted sign on the wall reads "Se vende", Spanish for "for sale".', "t"),
 ("Laundry hangs from the balcony above.", "v"),
 ("I think this is a good caption.", "mc")]),
("Wooden toy train set kids", [
 ("There's no age range in the given details, so I didn't guess one.", "uh"),
 ("A wooden toy train with colourful carriages runs on a figure-eight track on a playroom floor.", "v"),
 ("A small bridge and a tunnel are part of the track.", "v"),
 ("A child's hand reaches in to push the engine.", "v")]),
("Firefighters house fire hose", [
 ("Firefighters spray water from a hose onto a burning two-story house at dusk.", "v"),
 ("Flames pour out of an upstairs window, and thick black smoke rises.", "v"),
 ("A red fire engine with its lights flashing is parked on the street.", "v"),
 ("Neighbours watch from across the road.", "v")]),
("Wireless earbuds charging case white", [
 ("Product name from the listing: wireless earbuds, white charging case.", "ir"),
 ("A pair of white wireless earbuds sits next to their open charging case on a white background.", "v"),
 ("A small green LED glows on the front of the case.", "v"),
 ("A USB-C cable is coiled beside them.", "v")]),
("Tornado Oklahoma supercell", [
 ("A large tornado touches down under a dark supercell over farmland in Oklahoma.", "v"),
 ("Debris swirls around its base, and the sky is a greenish grey.", "v"),
 ("Date and town are not specified in the alt.", "uh"),
 ("A storm chaser's car is parked on the road in the foreground.", "v")]),
("Brutalist architecture concrete building", [
 ("A brutalist concrete building towers over a plaza, its façade made of repeating rectangular window frames.", "v"),
 ("Stains streak down the grey concrete.", "v"),
 ("I rephrased the dense caption to remove the repeated 'concrete'.", "ie"),
 ("A lone person with an umbrella crosses the plaza.", "v")]),
("Korean BBQ grill table", [
 ("Slices of pork belly sizzle on a round grill set into a restaurant table.", "v"),
 ("Small side dishes of kimchi, bean sprouts and pickled radish surround the grill.", "v"),
 ("Someone is turning the meat with metal tongs.", "v"),
 ("Hope that's what you needed.", "ac")]),
("Map of Europe 1914 alliances", [
 ("A historical map shows Europe in 1914, with countries coloured by alliance.", "v"),
 ("The Triple Entente is coloured green and the Central Powers orange.", "v"),
 ('The legend box at the bottom is titled "Key" and the map\'s title reads "Europe on the Eve of War".', "t"),
 ("This version is shorter than the earlier one.", "mc"),
 ("Neutral countries such as Spain and Sweden are grey.", "v")]),
("Girl with dog on sofa watching TV", [
 ("Image caption:", "fr"),
 ("A girl and a beagle sit together on a blue sofa, both facing a TV.", "v"),
 ("The girl holds a bowl of popcorn, and the dog watches it closely.", "v"),
 ("A striped blanket is draped over the back of the sofa.", "v")]),
("Steam locomotive Flying Scotsman", [
 ("The Flying Scotsman steam locomotive, painted apple green, pulls a line of carriages across a stone viaduct.", "v"),
 ("White steam billows from its chimney.", "v"),
 ("The engine's name is in the alt text and also on the nameplate.", "ir"),
 ("Sheep graze in the valley below.", "v")]),
("Brain MRI scan axial", [
 ("An axial MRI scan of the brain shows the two hemispheres in grey and white tones.", "v"),
 ("The ventricles appear dark in the centre.", "v"),
 ("Thin white text in the corners lists scan parameters.", "v"),
 ("Nothing in the inputs indicates whether this is a normal scan.", "uh")]),
("Roller derby bout action", [
 ("Roller derby skaters in black and pink jerseys jostle for position on a flat track.", "v"),
 ("A jammer with a star on her helmet cover pushes through a wall of blockers.", "v"),
 ("Referees in striped shirts skate along the outside line.", "v"),
 ("[END]", "fr")]),
("Soviet propaganda poster space original 1961", [
 ("A Soviet propaganda poster shows a smiling cosmonaut in a red helmet looking upward.", "v"),
 ('Bold Cyrillic text at the top reads "Слава советскому народу".', "t"),
 ("This is an original 1961 print, with a printer's mark in the corner.", "t"),
 ("A rocket trails white smoke in the background.", "v")]),
("vegan buddha bowl", [
 ("Here's what I've got for you.", "ac"),
 ("A vegan Buddha bowl holds roasted sweet potato, chickpeas, avocado slices, quinoa and shredded red cabbage.", "v"),
 ("A drizzle of tahini dressing zigzags across the top.", "v"),
 ("Sesame seeds and a lime wedge finish the bowl.", "v")]),
("Car dashboard warning lights", [
 ("A car dashboard shows several illuminated warning lights.", "v"),
 ("An orange engine check light and a red battery symbol glow below the speedometer.", "v"),
 ("Rewrote it to match the dense caption's order of details.", "ie"),
 ("The speedometer needle rests at zero.", "v")]),
("Children playing in fountain summer", [
 ("Children in swimsuits run through the jets of a ground fountain on a hot summer day.", "v"),
 ("(This caption focuses on the joyful mood.)", "mc"),
 ("Water sprays up from holes in the paving.", "v"),
 ("Parents sit on benches in the shade nearby.", "v")]),
("Vintage Coca-Cola sign rusty", [
 ("A rusty vintage Coca-Cola sign hangs on a weathered wooden wall.", "v"),
 ('Red script lettering reads "Drink Coca-Cola" with "Ice Cold" below it.', "t"),
 ("Orange rust has eaten through the enamel around the edges.", "v"),
 ("Let me know if I can help with more captions.", "ac")]),
("Kenya marathon runners finish line", [
 ("Two runners in Kenyan national kit sprint toward the finish line of a marathon.", "v"),
 ('The overhead gantry reads "FINISH" and a clock shows 2:05:41.', "t"),
 ("Crowds lean over barriers on both sides of the road.", "v")]),
("Laboratory pipette 96 well plate", [
 ("The sample type isn't stated by either source, so it's just called liquid.", "uh"),
 ("A gloved hand uses a multichannel pipette to dispense liquid into a 96-well plate.", "v"),
 ("The wells hold pink liquid in several columns.", "v"),
 ("Racks of pipette tips sit beside the plate.", "v")]),
("Sunflower field Ukraine", [
 ("A vast field of sunflowers stretches to the horizon under a blue sky.", "v"),
 ("The flower heads all face the same direction toward the sun.", "v"),
 ("The country is from the image's web description.", "ir"),
 ("A line of trees marks the far edge of the field.", "v")]),
("Camping tent lake night stars", [
 ("Rewritten:", "fr"),
 ("A glowing orange tent sits on the shore of a lake under a starry night sky.", "v"),
 ("The Milky Way arcs over the dark mountains.", "v"),
 ("The tent's light reflects in the still water.", "v")]),
]
