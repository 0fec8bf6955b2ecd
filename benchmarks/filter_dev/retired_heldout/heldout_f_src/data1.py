# Hand-written captions for heldout_f.jsonl, part 1. Kind codes: v visual, t trap, ie instruction_echo,
# mc meta_commentary, ir input_reference, uh uncertainty_hedge, ac assistant_chatter, fr format_residue.
DATA = [
("Kawasaki ZX-10R 2021 track day Brands Hatch", [
 ("ie", "Combining the visual description with the alternative text:"),
 ("v", "A green and black sport motorcycle leans hard into a right-hand bend on a grey asphalt circuit."),
 ("v", "The rider wears a matching green leather suit, and his scuffed knee slider skims the kerb."),
 ("v", "Red and white striped curbing runs along the inside of the corner.")]),
("IMG_4471.jpg", [
 ("v", "A close-up shows a rusted hydraulic press with a yellow safety cage around its ram."),
 ("t", "A laminated notice taped to the cage reads \"Correction: max load 40 t, not 60 t\" in handwritten marker."),
 ("v", "Oil stains darken the concrete floor beneath the machine."),
 ("uh", "The alt-text was just a filename, so the make of the press is unknown."),
 ("v", "A red emergency stop button is mounted on a post beside it.")]),
("Scanning electron micrograph of pollen grains (false colour)", [
 ("v", "Spiky spherical pollen grains in false-colour orange sit among smaller smooth yellow grains."),
 ("v", "The spikes are evenly spaced across each sphere, giving the grains a sea-urchin look."),
 ("v", "A scale bar at the lower left marks 10 micrometres.")]),
("Aerial view of Dubai Palm Jumeirah at dusk", [
 ("ac", "Sure thing, happy to help with this one!"),
 ("v", "An aerial view at dusk shows the Palm Jumeirah, the palm-shaped artificial archipelago off Dubai."),
 ("v", "Lights along the fronds glow orange against the darkening blue water."),
 ("v", "A crescent-shaped breakwater encircles the fronds, with a large hotel at its centre.")]),
("Live scoreboard Lakers vs Celtics 4th quarter", [
 ("v", "A large arena scoreboard displays LAKERS 98 and CELTICS 101 in red LED digits."),
 ("t", "Below the score, a scrolling banner reads \"Rate tonight's halftime show in the app!\""),
 ("ie", "I preserved the team names exactly as the alt-text wrote them."),
 ("v", "The game clock shows 2:14 left in the fourth quarter.")]),
("grandma's apple strudel recipe step 3", [
 ("v", "Thin sheets of pastry dough are stretched across a floured tablecloth on a wooden table."),
 ("v", "A bowl of sliced apples mixed with raisins and cinnamon sits at one corner."),
 ("v", "Two hands with flour on the knuckles lift one edge of the dough."),
 ("fr", "<|im_end|>")]),
("Screenshot of Lightroom Classic develop module", [
 ("t", "A screenshot of Adobe Lightroom Classic shows the Develop module with a photo of a misty lake in the centre."),
 ("t", "The right panel lists sliders for Exposure, Contrast, Highlights and Shadows, and a metadata pane below shows an empty \"Caption\" field."),
 ("t", "A pop-up over the photo reads “Merge to HDR: combine 3 selected photos?” with OK and Cancel buttons."),
 ("v", "The filmstrip along the bottom holds a dozen thumbnails of similar lake scenes.")]),
("Vintage 1962 Ford Thunderbird convertible for sale - $45,000 OBO", [
 ("ir", "According to the listing, this is a 1962 Ford Thunderbird convertible."),
 ("v", "The car is painted pale turquoise with a white soft top folded down."),
 ("v", "Chrome bumpers and round tail lights catch the afternoon sun."),
 ("v", "It is parked on a gravel driveway in front of a red barn.")]),
("Tokyo Shibuya crossing signage", [
 ("v", "Pedestrians cross a wide intersection under tall buildings covered in screens and signs."),
 ("t", "A vertical sign reads “薬 マツモトキヨシ” in yellow and blue."),
 ("v", "Most people carry umbrellas, and the pavement shines with rain."),
 ("mc", "Overall, this caption paints a vivid picture of Shibuya's bustle.")]),
("Hubble image of the Carina Nebula", [
 ("uh", "The provided text names the nebula but not the filters, so the colours cannot be tied to specific wavelengths."),
 ("v", "Towering clouds of orange and brown gas rise from the bottom of the frame in the Carina Nebula."),
 ("v", "Bright blue stars are scattered across the dark background above the clouds.")]),
("Siemens Healthineers Somatom CT scanner", [
 ("v", "A white CT scanner with a large ring-shaped gantry stands in a clean hospital room."),
 ("v", "A patient table with a thin blue pad extends out of the bore."),
 ("t", "A small display on the gantry shows the word \"Breathe\" and a countdown."),
 ("v", "The Siemens Healthineers logo is printed on the front panel of the gantry.")]),
("dog in snow", [
 ("v", "A fluffy grey and white dog bounds through deep snow with its tongue out."),
 ("uh", "(note: breed unconfirmed — possibly a Siberian husky.)"),
 ("v", "Snow clings to its whiskers and the fur on its legs."),
 ("v", "Pine trees heavy with snow form the background.")]),
("Minecraft survival base build", [
 ("t", "A screenshot from Minecraft shows a blocky stone castle beside a river at sunset."),
 ("t", "The chat box in the lower-left corner shows a player message: \"let me know if u want the seed\"."),
 ("v", "Torches line the castle walls, and a small wheat farm sits in the foreground."),
 ("t", "The hotbar at the bottom holds a diamond pickaxe, bread and a stack of torches.")]),
("Women's Fashion Week Milan SS24 runway look 12", [
 ("fr", "**Caption:**"),
 ("v", "A model walks a white runway in an oversized lemon-yellow trench coat with wide lapels."),
 ("t", "She wears a pair of pointed white boots and carries a small woven bag."),
 ("v", "Photographers line the edge of the runway behind a low barrier."),
 ("ac", "Let me know if you'd like a shorter version!")]),
("Soviet propaganda poster 1930s", [
 ("v", "A vivid red poster shows a worker holding a hammer aloft in front of factory chimneys."),
 ("t", "Large Cyrillic lettering across the top reads \"ПЯТИЛЕТКУ В ЧЕТЫРЕ ГОДА\"."),
 ("t", "It is an original 1930s lithographic print, with slight creases along the folds."),
 ("ie", "We kept the decade from the first source but dropped the guess about the artist.")]),
("KitchenAid Artisan stand mixer Empire Red 5qt", [
 ("v", "A glossy red stand mixer sits on a white marble countertop."),
 ("ir", "This is the KitchenAid Artisan in Empire Red, per the product title."),
 ("v", "A stainless steel bowl holds a fluffy white batter, with the flat beater lifted out."),
 ("v", "A folded tea towel and two eggs lie beside it.")]),
("Infographic: global coffee consumption 2023", [
 ("t", "An infographic titled \"Who Drinks the Most Coffee?\" shows a world map shaded in browns."),
 ("t", "A sidebar box headed \"Summary\" lists Finland, Norway and Iceland as the top three countries."),
 ("v", "Small coffee-cup icons mark each country, sized by consumption."),
 ("t", "The footer reads \"Source: International Coffee Organization, 2023\".")]),
("Haeundae beach Busan summer", [
 ("mc", "This caption blends what is seen with what is known about the place."),
 ("v", "Crowds sunbathe under rows of colourful parasols on Haeundae Beach in Busan."),
 ("t", "A blue sign on a lifeguard tower reads “수영 금지 구역” in white Korean letters."),
 ("v", "High-rise hotels line the curve of the bay behind the beach.")]),
("Old photo of my grandfather in his barbershop 1955", [
 ("v", "A black-and-white photograph shows a man in a white barber's jacket standing beside a leather barber chair."),
 ("v", "Mirrors on the wall behind him reflect shelves of tonic bottles."),
 ("uh", "Whether the man is really the uploader's grandfather can't be verified from the image itself."),
 ("v", "He is combing the hair of a seated boy wearing a striped cape.")]),
("Graphene lattice TEM image", [
 ("v", "A transmission electron micrograph shows a honeycomb lattice of bright dots."),
 ("v", "The hexagons repeat evenly across the frame, with a few dark defects near the top."),
 ("fr", "[/INST]")]),
("Nintendo Switch Zelda Tears of the Kingdom gameplay", [
 ("ac", "Absolutely, here you go:"),
 ("t", "A screenshot from The Legend of Zelda: Tears of the Kingdom shows Link gliding above floating sky islands."),
 ("t", "A dialogue box at the bottom reads \"Note: Your stamina is running low!\""),
 ("v", "Green hearts and a circular stamina wheel sit in the upper-left corner.")]),
("wind turbine blade manufacturing plant Denmark", [
 ("v", "Workers in white coveralls walk alongside an enormous white turbine blade resting on yellow cradles."),
 ("ie", "I merged the factory's location from the alt text into the scene description."),
 ("v", "The blade stretches the full length of a high-ceilinged factory hall in Denmark."),
 ("v", "Overhead cranes hang from steel beams near the roof.")]),
("Rome Trastevere street at night", [
 ("v", "A narrow cobbled street in Trastevere is lit by warm lamps hanging from ochre buildings."),
 ("mc", "Short and atmospheric, as a good caption should be."),
 ("t", "A hand-painted sign above a doorway reads \"Trattoria da Enzo — cucina romana\"."),
 ("v", "Ivy covers the walls, and diners sit at small tables outside.")]),
("Apple Watch Ultra 2 ECG app", [
 ("v", "A close-up of an orange-banded smartwatch shows an ECG trace in red on a black screen."),
 ("t", "The screen reads \"Sinus Rhythm\" with a timestamp below it."),
 ("ir", "The model name, Apple Watch Ultra 2, comes from the accompanying text."),
 ("v", "The watch rests on a wooden desk next to a spiral notebook.")]),
("diagram of the human heart labeled", [
 ("t", "An annotated diagram of the human heart shows the four chambers in red and blue."),
 ("t", "Thin leader lines connect each part to a label such as \"Left atrium\" or \"Aorta\"."),
 ("t", "A small annotation box at the bottom says “Note: blue = deoxygenated blood”."),
 ("v", "The diagram is drawn on a plain white background.")]),
("Cyclone over Bay of Bengal satellite image NASA", [
 ("fr", "### Fused Caption"),
 ("v", "A satellite image shows a tightly wound cyclone with a clear eye over the Bay of Bengal."),
 ("v", "Bands of white cloud spiral outward over deep blue water."),
 ("v", "The coastline of eastern India is visible along the left edge."),
 ("mc", "In short, a striking view of a powerful storm.")]),
("woodworking dovetail joint", [
 ("v", "Two pieces of dark wood are joined at a right angle with tight hand-cut dovetails."),
 ("v", "Pencil layout lines are still visible on the end grain."),
 ("v", "A marking gauge and a small chisel lie on the bench beside them."),
 ("uh", "Nothing in either input says which wood this is, so I can only call it dark.")]),
("Indian wedding mehndi ceremony", [
 ("v", "A bride's hands and forearms are covered in intricate dark brown henna patterns."),
 ("v", "Gold bangles stack on each wrist, and she wears a green silk sari with a gold border."),
 ("ac", "Hope this helps with your dataset!")]),
("Factory conveyor belt bottling line", [
 ("ie", "Correction: the bottles are green glass, not plastic."),
 ("v", "Rows of green glass bottles move along a stainless steel conveyor in a bottling plant."),
 ("v", "A filling machine with a ring of nozzles lowers onto the bottles."),
 ("v", "A worker in a hairnet watches a control panel to the right.")]),
("Classroom chalkboard English grammar lesson", [
 ("t", "A green chalkboard in a classroom reads \"Combine the two sentences using 'although'.\" in white chalk."),
 ("t", "Below it are two example sentences: \"It rained. We played outside.\""),
 ("v", "Wooden desks face the board, and a tote bag sits on the teacher's desk at the front.")]),
("Mars rover Perseverance selfie", [
 ("v", "NASA's Perseverance rover stands on reddish, rocky Martian ground in a self-portrait."),
 ("v", "Its mast camera head faces the lens, and dust coats its white body."),
 ("uh", "The image-text pair does not say which sol the picture was taken on."),
 ("v", "A small drilled hole is visible in a flat rock near the wheels.")]),
("Heineken 330ml bottle pack 24", [
 ("v", "A cardboard case of green beer bottles is shown on a white background."),
 ("t", "The packaging carries a red star and the word \"Heineken\" along with \"24 × 330 ml\"."),
 ("fr", "Tags: beer, lager, multipack.")]),
("CNC lathe cutting titanium", [
 ("v", "Sparks and a curl of silvery swarf fly from a titanium bar spinning in a CNC lathe."),
 ("v", "Coolant sprays from a nozzle onto the cutting tool."),
 ("v", "The machine's glass door is partly open, and its interior is lit by a white lamp."),
 ("ie", "Kept it technical, as requested, and left out the brand guess."),
 ("v", "Chips of metal have collected in the tray below the spindle.")]),
("Ho Chi Minh City street food vendor", [
 ("v", "A woman in a conical hat tends a charcoal grill of pork skewers on a busy sidewalk in Ho Chi Minh City."),
 ("t", "A handwritten cardboard sign leaning on her cart reads \"Bánh mì thịt nướng 25.000đ\"."),
 ("v", "Motorbikes stream past in the street behind her."),
 ("v", "Small plastic stools are stacked beside the cart.")]),
("Portrait of a peregrine falcon", [
 ("v", "A peregrine falcon perches on a weathered wooden post, its dark hood contrasting with a pale barred chest."),
 ("ie", "Earlier I called it a kestrel; that was wrong and has been fixed."),
 ("v", "Its yellow eye-ring and hooked beak are sharply in focus."),
 ("v", "The background is a smooth green blur.")]),
("Wall Street Journal front page Sept 16 2008", [
 ("t", "A newspaper front page carries the headline \"Lehman Files for Bankruptcy; Merrill Is Sold\"."),
 ("t", "A boxed summary column on the left is titled “What's News”."),
 ("v", "A large photograph shows traders holding their heads on a crowded exchange floor."),
 ("mc", "This description now reflects both the historical context and the visual layout.")]),
("Fresh pasta making flour eggs well", [
 ("fr", "Caption:"),
 ("v", "A mound of flour with a well of three cracked eggs sits on a wooden board."),
 ("v", "A fork rests in the yolks, which are partly mixed into the flour.")]),
("Street in Marrakech medina", [
 ("v", "A narrow alley in the Marrakech medina is lined with stalls of brass lanterns and woven baskets."),
 ("t", "An overhead sign in Arabic and French reads \"حمام — Hammam\" with an arrow."),
 ("v", "Sunlight falls in strips through a reed canopy above."),
 ("ac", "You'll love this next detail."),
 ("v", "A man pushes a handcart piled with mint.")]),
("Google Pixel 8 camera app screenshot", [
 ("t", "A phone screenshot shows a camera app viewfinder framing a bowl of ramen."),
 ("t", "Along the bottom are modes labelled \"Night Sight\", \"Portrait\", \"Photo\" and \"Video\"."),
 ("ir", "Per the web snippet, the phone is a Google Pixel 8."),
 ("v", "Steam rises from the ramen in the middle of the frame.")]),
("Bronze Age sword, British Museum", [
 ("v", "A long bronze sword with a leaf-shaped blade lies on grey fabric in a museum case."),
 ("t", "A small museum label beside it reads \"Sword, Late Bronze Age, c. 1000 BC. Found in the River Thames.\""),
 ("uh", "We could not confirm from the inputs whether it is currently on display in London."),
 ("v", "The blade is dark green with patches of corrosion.")]),
("Blood smear microscopy 100x", [
 ("v", "A stained blood smear under a microscope shows many pale pink red blood cells."),
 ("v", "A few larger cells with purple, lobed nuclei stand out among them."),
 ("fr", "[END]")]),
("Tour de France 2023 stage 14 peloton", [
 ("v", "A dense peloton of cyclists in bright team jerseys climbs a mountain road."),
 ("v", "Fans wave flags and run alongside the riders."),
 ("v", "Snow-streaked peaks rise in the distance."),
 ("ac", "Would you like me to add the stage winner's name as well?")]),
]
