"""Part 2: hand-written captions (non-native and rambling voices, real estate, memes, science)."""
from common import write

C = [
("3 bed 2 bath ranch home for sale Austin TX pool", """
v A single-story brick house sits behind a green lawn with a live oak tree.
v A kidney-shaped pool glitters in the fenced backyard.
ir The three bedrooms and two baths are quoted straight from the real-estate ad.
uh Square footage was nowhere in the inputs.
t A yard sign by the curb reads 'For Sale' with a realtor's phone number.
v The home is in Austin, Texas.
"""),
("funny cat meme i can haz cheezburger", """
t Bold white Impact text across the top reads 'I CAN HAS CHEEZBURGER?'.
v A chubby gray cat stares at the camera with wide eyes.
v The image is the 2007 meme that launched the LOLcats craze.
mc In my opinion this is very good caption because it explain both the joke and the picture.
"""),
("Bitcoin price chart 2021 all time high", """
t A candlestick chart shows prices climbing from '30,000' to above '64,000' on the right axis.
v Green and red candles cluster in a steep upward run.
v Bitcoin reached an all-time high of nearly $65,000 in April 2021.
ie The caption and alt text was merged by me, keeping the year and the all-time-high fact.
ac If you need any more caption, please tell me.
"""),
("Aurora borealis over Lofoten Norway", """
fr <|begin_of_text|><|start_header_id|>assistant<|end_header_id|>
v Green ribbons of light ripple across a starry sky.
v Jagged snowy peaks reflect in a still fjord below.
v The Lofoten Islands in northern Norway are a popular place to see the aurora.
fr <|eot_id|>
"""),
("Wooden toy train set kids", """
v A wooden toy train with red, blue and yellow cars runs on a figure-eight track.
v A small bridge crosses over one part of the loop.
mc Okay so basically this is a nice description, it tells what the train looks like and also the track, so it is complete I think.
v A child's hand reaches in from the edge of the frame.
"""),
("Cross-section diagram of a volcano labeled", """
t A diagram shows a cone-shaped volcano cut open to reveal its insides.
t Labels point to 'Magma chamber', 'Main vent', 'Ash cloud' and 'Lava flow'.
ir As the keywords indicate, it's an educational labeled diagram.
t A box in the corner says 'Key: red = molten rock'.
v An orange plume rises from the crater into a gray cloud.
"""),
("Bugatti Chiron Sport blue", """
v A low two-tone blue hypercar is parked on a polished showroom floor.
v A horseshoe-shaped grille sits at the center of its nose.
v The Chiron Sport produces about 1,500 horsepower from a quad-turbo W16 engine.
ie I made sure not to repeat the car's name more than once.
uh The exact model year cannot be confirmed from either text.
"""),
("Grandmother knitting by fireplace", """
v An elderly woman in a cardigan knits a red scarf in an armchair.
v A fire crackles in a stone fireplace beside her.
v A ball of yarn has rolled onto the rug, where a cat watches it.
ac Hope you like it!
"""),
("Chess opening board position Sicilian Defense", """
t A chessboard diagram shows pieces after the moves '1. e4 c5'.
v White's king pawn stands on e4 and Black's pawn has moved to c5.
ir The opening's name came from the page title rather than from any text on the board.
v This is the Sicilian Defense, the most popular reply to 1.e4.
"""),
("Hiking boots on rocky trail", """
v Brown leather hiking boots stand on a gray granite slab.
v Their laces are double-knotted and caked with dried mud.
fr Rewritten Caption: Brown leather hiking boots stand on a gray granite slab.
"""),
("COVID-19 testing site drive-through", """
v Cars line up in several lanes under white tents.
v Workers in gowns, face shields and gloves lean into car windows with swabs.
t A large banner reads 'COVID-19 Testing — Stay in Your Vehicle'.
uh How many people were tested that day, nothing I received says.
mc Thus the caption conveys both the logistics and the mood of the pandemic era.
"""),
("Sunflower field Ukraine", """
ie The country from the alt was integrated as a fact instead of a guess.
v A field of sunflowers stretches to the horizon under a pale blue sky.
v Their heads all face toward the rising sun.
v Ukraine is one of the world's largest producers of sunflower oil.
"""),
("Handwritten letter vintage envelope stamps", """
v A yellowed envelope with three colorful postage stamps lies on a desk.
t The handwriting in blue ink reads 'To Miss Eleanor Hart, 14 Rose Lane'.
t A postmark is dated 'MAR 3 1947'.
v A folded letter peeks out from the open flap.
ac Should I make it more poetic?
"""),
("Jellyfish aquarium Monterey Bay", """
v Translucent jellyfish drift against a deep blue background.
v Their long orange tentacles trail below bell-shaped bodies.
ir Note: the aquarium name was only in the alt-tag.
v These are Pacific sea nettles at the Monterey Bay Aquarium.
"""),
("Person typing on laptop in coffee shop stock photo", """
v A pair of hands types on a silver laptop beside a latte.
v The background is blurred into warm café lights.
mc Generic stock scene but described with good specificity, which is exactly what is needed here.
fr ```
"""),
("Coral bleaching Great Barrier Reef", """
ie The Great Barrier Reef location I deliberately left out, because the image itself doesn't show it.
v Stark white coral branches cover the seafloor.
v A few small blue fish swim above them.
v Bleaching happens when warm water causes corals to expel their algae.
uh Not sure which year the photo was taken — the inputs do not tell.
"""),
("IKEA KALLAX shelf unit white 4x4", """
v A white cube shelving unit with sixteen square compartments stands against a wall.
v Some cubes hold woven baskets; others hold books and plants.
mc The caption flows better now and the product details don't feel like a catalog.
t A price tag on the side reads 'KALLAX 4x4 — Article No. 802.758.87'.
"""),
("Rugby scrum Six Nations Ireland vs England", """
v Two packs of rugby players bind together in a tight scrum.
v Green jerseys push against white ones on a muddy pitch.
v Ireland and England meet every year in the Six Nations Championship.
ir Which teams these are can be read from the jerseys and is backed up by the supplied title.
ac Cheers!
"""),
("Diagram of mitochondrion structure", """
t A biology diagram labels a bean-shaped organelle with 'Outer membrane', 'Inner membrane', 'Cristae' and 'Matrix'.
v The folded inner membrane forms finger-like ridges inside.
v Mitochondria produce most of the cell's ATP.
fr - Caption:
fr - Alt text:
ie Merged both as bullets above into one text below.
"""),
("Traditional Moroccan tagine pot Marrakech souk", """
uh I can't say for sure if the pots are for cooking or just decoration; there was no info about it.
v Rows of painted clay tagine pots with cone-shaped lids are stacked on shelves.
v They are glazed in cobalt blue, green and ochre.
t A cardboard sign tucked among them says '50 DH' in marker.
v The stall is in a souk in Marrakech.
"""),
("Man proposing on beach sunset", """
v A man kneels on wet sand holding out a small ring box.
v A woman covers her mouth with both hands.
v The sun sets behind them over the waves.
mc Such a touching moment, and I feel the description does it justice.
"""),
("F1 Monaco Grand Prix hairpin", """
v Formula 1 cars snake through a tight hairpin lined with barriers.
v Yachts crowd the harbor in the background.
ie Per instructions I avoided naming drivers I couldn't see clearly.
t Advertising boards along the track read 'Rolex' and 'Pirelli'.
v The Fairmont hairpin in Monaco is the slowest corner on the calendar.
"""),
("wireframe mobile app login screen UX", """
t A gray wireframe of a phone screen shows fields labeled 'Email' and 'Password'.
t A large button reads 'Sign In' and a link below says 'Forgot password?'.
t A placeholder box at the top is marked 'Logo'.
v Thin annotation arrows point to each element from the margin.
fr {caption}
"""),
("Strawberry cheesecake slice", """
v A tall slice of cheesecake sits on a white plate.
v Glossy strawberry topping drips down its sides.
v A graham-cracker crust forms the base.
ac Would you like a version in Spanish too?
"""),
("Lighthouse Peggy's Cove Nova Scotia", """
v A white lighthouse with a red lantern stands on smooth granite rocks.
v Waves crash against the shore below.
ir Peggy's Cove, Nova Scotia — that's from the supplied text, not a visible sign.
mc Short but it captures the place well.
"""),
("Wind farm wildfire smoke orange sky San Francisco 2020", """
v The sky over a city glows an eerie dark orange at midday.
v Streetlights are on even though it is daytime.
ir The alt mentions a wind farm, which isn't in the picture, so that part is omitted.
v On September 9, 2020, wildfire smoke turned San Francisco's sky orange.
"""),
("Elderly man playing go in park Shanghai", """
v Two elderly men sit at a stone table playing a board game with black and white stones.
v A small crowd of onlookers stands around them.
t A painted sign on a nearby wall reads '人民公园'.
v The game is Go, widely played in parks across Shanghai.
uh Whether the sign is the park name is not confirmed by the material.
"""),
("Heat map of US election results by county", """
ie I kept the word 'county' from the alt text and avoided guessing the election year.
t A map of the United States is shaded red and blue by county.
t A legend in the bottom corner is labeled 'Margin of victory'.
v Blue clusters around cities and along the coasts, while red covers most rural areas.
"""),
("Newborn baby feet in parent's hands", """
v Two adult hands cradle a newborn's tiny feet.
v The baby's skin is pink and slightly wrinkled.
mc This description is gentle and warm, fitting for the image.
ac Congratulations to the family, if this is yours!
"""),
("Satellite image of Nile delta at night", """
v A dark landscape is crossed by a bright fan-shaped web of city lights.
v The lights trace the river's delta as it spreads into the sea.
v The image shows the Nile delta at night, photographed from the International Space Station.
fr ## Visual Elements
"""),
("Hand-drawn wedding invitation calligraphy", """
t An ivory card reads 'Together with their families, Anna & Tomás' in black calligraphy.
t Beneath it, smaller text says 'Reception to follow — details on the reverse'.
v A sprig of eucalyptus is drawn along the left edge.
ir Names exactly match the ones in the input caption, so I trusted them.
"""),
("Old man fishing on pier morning fog", """
ie I didn't add any fishing-related facts because the alt text had none.
v An old man in a wool cap casts a line from a wooden pier.
v Fog hides the far end of the pier.
v Seagulls perch on the railing nearby.
"""),
("Skyscraper construction site crane", """
v A tall yellow tower crane rises beside a half-built skyscraper.
v Exposed steel beams frame the upper floors.
t A banner on the fence reads 'Coming 2025: Harbor Tower'.
mc All in all, a precise and informative scene description.
"""),
("Turkish coffee copper cezve", """
v Thick dark coffee is poured from a small copper pot into a tiny cup.
v Foam gathers on the surface.
ir The word 'cezve' came from the snippet under the photo.
v Turkish coffee is brewed unfiltered in a pot called a cezve.
uh I'm not 100% certain it's Turkish rather than Greek coffee, but the alt text says so.
"""),
("Mona Lisa Louvre crowd phones", """
v A crowd of visitors holds up phones in front of a small painting behind glass.
v A wooden barrier keeps them at a distance.
v The painting is Leonardo da Vinci's Mona Lisa at the Louvre.
ac Tell me if you want me to focus more on the painting than on the crowd.
"""),
("Dog agility competition jump", """
v A black-and-white border collie leaps over a striped bar.
v Its handler runs alongside pointing ahead.
t A number bib on the handler reads '27'.
fr Output:
"""),
("Ancient Greek amphora black figure pottery", """
v A tall two-handled vase shows black figures of warriors on an orange background.
v One warrior raises a round shield.
ie Accession data stripped out, period info preserved.
v Black-figure pottery flourished in Athens in the sixth century BC.
ir The museum accession number from the record is not repeated here.
"""),
("Kids playing soccer in favela Rio", """
v Barefoot children kick a ball on a dusty pitch.
v Colorful houses stack up the hillside behind them.
v The pitch is in a favela in Rio de Janeiro.
mc This feels authentic and respectful of the subject.
"""),
("Nutritional facts label cereal box", """
t A 'Nutrition Facts' panel lists 'Serving size 1 cup (30g)' at the top.
t Rows read 'Calories 110', 'Total Fat 1g' and 'Sugars 9g'.
t A line at the bottom states 'Ingredients: whole grain oats, sugar, salt'.
v The panel is printed on the side of a yellow cardboard box.
uh US or Canadian version — I could not determine that from what was shared.
"""),
("Glacier calving Patagonia Perito Moreno", """
v A massive chunk of ice breaks off a glacier's face into turquoise water.
v Spray rises where it hits the lake.
v Perito Moreno Glacier in Argentine Patagonia is known for frequent calving.
ac I hope this caption meets your needs!
"""),
("Street food stall Bangkok pad thai", """
fr [INST]
v A vendor tosses noodles in a blackened wok over high flame.
v Bowls of bean sprouts, lime wedges and crushed peanuts sit on the cart.
t A laminated menu shows 'ผัดไทย' and '60 baht' in red.
fr [/INST]
"""),
("Vinyl record player turntable", """
v A wooden turntable spins a black vinyl record.
v The tonearm rests on the outer grooves.
t The record's center label reads 'Side A — Original Mono Version'.
mc It captures the retro mood nicely without overdoing it.
"""),
("Saturn rings Cassini", """
v A pale gold planet is encircled by thin, bright rings.
v The rings cast a dark shadow across the planet's surface.
v The image was captured by NASA's Cassini spacecraft.
ie I merged the Cassini name from the alt text with the visual details.
ie Nothing was contradicted, so no corrections were needed.
"""),
("Baby elephant mud bath", """
uh I couldn't tell its age, and no one mentions it.
v A baby elephant rolls in a pool of brown mud.
v Its trunk is raised, spraying mud over its back.
"""),
("Construction worker welding steel beam", """
v A welder in a dark mask bends over a steel beam.
v Bright orange sparks shower down.
ir (Steel beam per the alt; it could be a pipe.)
t His hard hat bears a sticker reading 'Safety First'.
"""),
("Lavender fields Provence Valensole", """
v Purple rows of lavender stretch toward a stone farmhouse.
v A lone tree stands at the end of one row.
v The Valensole plateau in Provence blooms in late June and July.
mc Idyllic and accurate at once — the description does exactly what it should.
ac I can trim it down further on request.
"""),
("Fire truck responding emergency lights", """
v A red fire engine speeds down a wet street with lights flashing.
v Reflections of red and white light streak across the pavement.
t The side panel reads 'Engine 14' in gold lettering.
ie Emergency lights mentioned once, not twice as in the two sources.
"""),
("Minimalist bedroom Scandinavian design", """
v A low bed with white linen sits under a pale wooden headboard.
v A single pendant lamp hangs over a bedside table.
v The walls are painted a soft gray.
fr **Caption:** A low bed with white linen sits under a pale wooden headboard.
"""),
("Ant carrying leaf macro", """
v A leafcutter ant carries a piece of green leaf many times its size.
uh The species remains unverified from the given information.
v Its mandibles grip the edge of the leaf.
"""),
("Infant car seat installation guide diagram", """
t A diagram shows a rear-facing car seat with arrows labeled 'Step 1' to 'Step 4'.
t A warning box reads 'NEVER place in front of an active airbag'.
t The top of the page says 'Installation Guide — Version 3.1'.
v A cartoon hand pulls a strap tight.
"""),
("Volcanic eruption Iceland Fagradalsfjall lava", """
v Bright orange lava fountains from a small cone at night.
v Rivers of glowing rock spread across black ground.
v The eruption at Fagradalsfjall in Iceland began in March 2021.
ir Nothing in the two inputs conflicts regarding the date.
"""),
("Teenager skateboarding half pipe", """
v A teenager in a baggy T-shirt rides up a concrete half-pipe.
v The board lifts off the edge as he turns.
ac Here ya go!
"""),
("Harvard Yard snow winter", """
v Snow covers the paths and lawns of a quadrangle lined with brick buildings.
v Bare elm trees cast thin shadows.
mc The draft above keeps it seasonal and specific.
v Harvard Yard is the historic heart of Harvard University.
"""),
("Classic Coca-Cola glass bottle condensation", """
v A curved glass bottle of cola beads with condensation.
t The white script logo reads 'Coca-Cola' on a red label.
uh I was not given the bottle's production year, so it's not stated.
v The contour bottle shape was designed in 1915.
"""),
("Map of Tokyo subway lines", """
t A schematic map shows colored subway lines crossing in a dense web.
t Station names are printed in both Japanese and English, such as 'Shinjuku' and 'Ginza'.
t A legend box in the corner lists each line by color.
v The Yamanote loop line is drawn in light green around the center.
ie I prioritized the visible station names over the alt text's general description.
"""),
("Kindergarten classroom art projects wall", """
v Colorful finger paintings are pinned to a bulletin board.
t Each is labeled with a child's name in marker, such as 'Lily' and 'Omar'.
t A paper banner above reads 'Our Spring Art Show'.
mc This gives a lovely and complete picture.
"""),
("Pho bowl Vietnamese beef noodle soup", """
v A large bowl of clear broth holds rice noodles and thin slices of beef.
ir The words 'beef noodle soup', used in the other description, are now swapped for the proper name pho.
v Fresh basil, bean sprouts and lime sit on a side plate.
"""),
("Snowboarder backflip halfpipe Olympics", """
v A snowboarder flips upside down high above a snowy halfpipe.
v Spectators line the top of the wall.
t Olympic rings are painted on the side of the pipe.
uh There is no information on who the athlete is.
ac Do you need anything else?
"""),
("Hummingbird feeding on red flower", """
v A tiny hummingbird hovers beside a red tubular flower.
v Its wings are a blur.
v Its throat shimmers emerald green.
mc It's a sharp, well-observed caption.
"""),
("Industrial robot arm car factory", """
v Orange robotic arms weld the frames of car bodies on an assembly line.
v Sparks fly where the welding tips meet the metal.
t A safety sign on a fence reads 'Danger — Automatic Machinery'.
ir That it's a car factory in Germany comes from the web page; nothing visible confirms it.
"""),
("Person meditating on mountain at sunrise", """
v A person sits cross-legged on a rocky summit facing the sunrise.
ie I kept the wording simple and avoided clichés like 'inner peace'.
v Mist fills the valleys below.
"""),
("Giant tortoise Galapagos", """
v A huge tortoise with a domed shell pushes through green grass.
v Its wrinkled neck stretches forward.
v Galápagos giant tortoises can live more than a hundred years.
fr </assistant>
"""),
("Handmade leather wallet bifold", """
v A tan leather bifold wallet lies open on a workbench.
v Neat saddle stitching runs around its edges.
t A small debossed stamp inside reads 'Handmade in Oregon'.
mc I believe this hits the right tone for a product listing.
"""),
("Spiral galaxy Hubble", """
ir As in the credit line, the image comes from the Hubble Space Telescope.
v A spiral galaxy glows with a bright yellow core and blue arms.
v Dark lanes of dust curve through the arms.
"""),
("Buffet breakfast hotel", """
v Chafing dishes of scrambled eggs, sausages and roasted potatoes line a long counter.
v A basket of pastries sits beside a juice dispenser.
uh Which hotel this is I'm not able to verify.
t Small tent cards label each dish, such as 'Gluten Free' and 'Vegetarian'.
"""),
("Fishing boats harbor Greece Santorini", """
v Small wooden fishing boats painted blue and white float in a calm harbor.
v Whitewashed houses climb the cliff above.
ie I combined the boat details with the location without adding extra tourism info.
v Santorini's old port sits beneath the village of Fira.
"""),
("Tennis Wimbledon Centre Court grass", """
v A tennis player in all white stretches for a forehand on a grass court.
v The crowd watches from green stands.
v Wimbledon requires players to wear almost entirely white.
ac Do you want the player named?
uh I won't name the player since nothing identifies them.
"""),
("Kitten in a teacup", """
v A tiny orange kitten peeks out of a white porcelain teacup.
v Its paws rest on the rim.
mc Simple and sweet — nothing more needed.
"""),
("Rice terraces Bali Tegallalang", """
v Green rice terraces step down a hillside in curving layers.
ir Tegallalang, given as the place in the second description, is north of Ubud in Bali.
v Coconut palms stand between the terraces.
"""),
("Emergency exit sign green running man", """
t A green sign shows a white running figure and an arrow pointing left.
t The text beneath reads 'EXIT' in bold capitals.
v The sign is mounted above a gray steel door.
fr Visual Description:
"""),
("Portrait of Frida Kahlo with monkey", """
v A woman with thick dark eyebrows and braided hair looks straight ahead.
v A small monkey clings to her shoulder.
v Frida Kahlo often painted herself with her pet monkeys.
ie Kept the artist's name, dropped the painting's year since it wasn't certain.
"""),
("Hot dog stand New York", """
v A metal cart with a blue and yellow umbrella sells hot dogs on a sidewalk.
v A vendor in an apron hands a hot dog to a customer.
t The cart's sign lists 'Hot Dog $3' and 'Pretzel $4'.
mc Everything a reader needs is here.
"""),
("Whale breaching Alaska humpback", """
v A humpback whale launches out of the water, twisting in midair.
uh The alt text doesn't say if it's Alaska or Hawaii — only 'humpback'.
v White spray explodes around its body.
"""),
("Doctor's handwritten prescription", """
t A prescription pad is headed 'Dr. Mehta — General Practice'.
t Scrawled handwriting lists a drug name and 'twice daily'.
t A field at the bottom is labeled 'Signature'.
v A stethoscope lies across the corner of the pad.
"""),
("Sydney Opera House fireworks New Year", """
v Fireworks burst in gold and red above a harbor.
v White sail-shaped roofs glow below.
v Sydney's New Year's Eve fireworks are launched from the Harbour Bridge.
fr <|assistant|>
"""),
("Vegetable garden raised beds", """
v Raised wooden beds overflow with tomatoes, lettuce and zucchini.
v A watering can sits on the path between them.
ac Ping me if this one needs anything else.
"""),
]

if __name__ == "__main__":
    write(2, C, 101)
