"""Part 1: hand-written captions (products, streets, food, art, chat-template residue)."""
from common import write

C = [
("Vintage Leica M3 rangefinder camera 1954 chrome body", """
v A chrome rangefinder camera rests on a dark walnut desk.
v The body is wrapped in black pebbled leatherette, worn pale at the corners.
t Engraved on the top plate is the word 'Leica' in flowing script beside 'M3'.
ir The Leica M3, dated to 1954 by the blurb, has a collapsible lens pulled out to its working position.
v A thin film-advance lever sits near the shutter dial.
"""),
("IMG_20190614_183022.jpg", """
mc What follows is a faithful, sensory portrait of an ordinary evening.
v Golden light slants across a narrow cobbled alley.
v Two bicycles lean against a green door with peeling paint.
ir The filename offers no clue about the location, so only what is visible is described.
v Geraniums spill from a window box above.
"""),
("Bosch 18V cordless drill driver kit with 2 batteries and case", """
v A green and black cordless drill lies in a fitted plastic case.
v Two slim battery packs sit in molded slots beside it.
ie Both descriptions were folded together here, with the charger mention kept from the product title.
t A sticker on the case reads 'Made in Germany — Input 230V'.
v Bosch's 18-volt drill driver kit ships with both batteries and a charger.
"""),
("Street market in Hanoi Old Quarter", """
fr <|im_start|>assistant
v Women in conical hats sell bundles of herbs from low plastic stools.
v Motorbikes crowd the narrow street behind them.
t A yellow sign overhead reads 'Phở Bò — 45.000đ' in red letters.
v The scene is in Hanoi's Old Quarter, famous for its street-based trade.
fr <|im_end|>
"""),
("Homemade margherita pizza recipe", """
v A round pizza with blistered crust sits on a wooden peel.
v Torn basil leaves rest on melted pools of mozzarella.
uh Whether the pizza was baked in a wood oven is not something either input settles.
v A drizzle of olive oil glints on the tomato sauce.
ac Want me to add a short recipe-style line as well?
"""),
("Brutalist apartment building Belgrade Western City Gate", """
v Two concrete towers rise against an overcast sky, linked by a bridge near the top.
v A round revolving restaurant crowns the taller tower.
v This is the Western City Gate, also known as Genex Tower, in Belgrade.
mc Taken together, the sentences above give a strong sense of the building's imposing scale.
"""),
("Periodic table of elements poster for classroom", """
v A colorful periodic table poster hangs on a cinderblock wall.
t The header reads 'Periodic Table of the Elements' in bold black type.
t Each square lists an atomic number, a symbol and a name, such as '26 Fe Iron'.
t A key at the bottom is labeled 'Legend' and color-codes metals, nonmetals and noble gases.
ir Per the keyword list, the poster is meant for a classroom.
v The corners are held with strips of blue tape.
"""),
("Charizard holo 1st edition base set PSA 10", """
v A trading card in a clear plastic slab stands upright on a black stand.
v The orange dragon on the card breathes fire across a holographic background.
t A red label at the top of the slab reads 'PSA GEM MT 10'.
ie I dropped the grading jargon except for the number printed on the slab.
v The card is a first-edition holographic Charizard from the original Base Set.
"""),
("sunset over lake", """
v An orange sun sits low over calm water.
v A wooden dock stretches out toward the horizon.
ac Sure thing — here is the merged caption you asked for.
"""),
("Tesla Model 3 Midnight Silver Metallic charging at Supercharger", """
v A dark gray sedan is parked beside a white charging post.
v A thick black cable runs from the post into a port on the rear fin.
uh The trim level is anyone's guess; neither description touches on it.
t The post is branded with a red 'T' logo and a small screen reading 'Charging 62%'.
v The car is a Tesla Model 3 in Midnight Silver Metallic at a Supercharger station.
"""),
("MRI brain scan axial T2", """
fr ### Response:
v A grayscale axial slice of a human brain fills the frame.
v Bright cerebrospinal fluid outlines the ventricles in the center.
v This is a T2-weighted MRI, which renders fluid bright and fat darker.
t Small white text in the corner reads 'Series 4 / Image 12'.
"""),
("Kyoto Fushimi Inari shrine torii gates", """
v Rows of vermilion gates form a tunnel up a forested hillside.
t Black kanji are painted down the side of each post.
v The path is the famous torii corridor of Fushimi Inari Taisha in Kyoto.
ie Shrine name taken over from the alt text verbatim, rest from the image description.
v A lone visitor in a white jacket walks toward the light at the far end.
"""),
("", """
uh With an empty alt field there was nothing to enrich the visual account.
v A plate of scrambled eggs sits beside two slices of toast.
v A mug of coffee steams at the edge of the frame.
"""),
("Minecraft screenshot village at night", """
v A blocky village of wooden houses glows with torchlight under a square moon.
t The hotbar at the bottom of the screen shows a sword, a pickaxe and stacks of torches.
t White chat text in the lower left reads 'Player123 joined the game'.
mc I'd rate this version highly for clarity, since it keeps every element a viewer would notice.
v A zombie shambles toward the nearest door.
"""),
("Woman jogging Central Park autumn", """
v A woman in a purple windbreaker jogs along a paved path.
v Orange and yellow leaves carpet the grass on both sides.
ir (The park is named as Central Park in the accompanying snippet.)
v A stone bridge arches over the path in the background.
"""),
("ACME Corp Q3 2021 earnings slide", """
t A presentation slide is headed 'Summary' in large white letters.
t Three bullet points read 'Revenue +12%', 'Margin stable' and 'Outlook raised'.
v A small bar chart on the right shows four blue columns rising left to right.
v The slide comes from ACME Corp's third-quarter 2021 earnings presentation.
fr ---
fr **Notes:**
ie Kept the quarter and year, dropped the company's tagline.
"""),
("Sourdough loaf artisan bread scoring", """
v A round loaf with a deep golden crust sits on a cooling rack.
v A single curved score has opened into a crisp ridge called an ear.
v Flour dusts the top in a leaf-shaped stencil pattern.
ac Happy baking, and let me know if you'd like it shorter!
"""),
("Scanning electron microscope image of pollen grains", """
v Spiky spherical grains are scattered across a dark background.
v Some are covered in short spines, others in a honeycomb-like mesh.
uh Which plant species they belong to, the provided material never says.
t A scale bar in the corner is labeled '10 µm'.
v These are pollen grains imaged with a scanning electron microscope, colorized afterwards.
"""),
("Flooded street after hurricane Houston 2017", """
v Brown floodwater reaches the door handles of parked cars.
v A man wades through the water carrying a plastic tub on his shoulder.
mc The result reads like a news photo caption, which suits the subject.
v Houston was inundated in 2017 when Hurricane Harvey stalled over the city.
"""),
("Nike Air Jordan 1 Retro High OG Chicago size 10", """
v A high-top sneaker in red, white and black stands on a concrete step.
v A black swoosh sweeps across the white side panel.
t The tongue tag reads 'NIKE AIR' beneath a small wings logo.
ir Size 10 — according to the product listing — though no size label is visible.
v This is the Air Jordan 1 Retro High OG in the 'Chicago' colorway.
"""),
("Old map of London 1850", """
v A sepia map shows a dense tangle of streets along a winding river.
t Ornate lettering across the top reads 'London' with a compass rose beneath.
v The Thames curves through the center, crossed by several bridges.
ie The date from the web text was worked in, but the publisher's name was set aside.
v The map depicts London around 1850, before the Victorian embankments.
"""),
("Fluffy cat sleeping on laptop keyboard", """
fr [INST] Combine the caption and alt text. [/INST]
v A long-haired gray cat lies curled across an open laptop keyboard.
v Its tail drapes over the trackpad.
t The screen behind it shows a half-finished email with the subject line 'Re: Summary of notes'.
"""),
("Chicken tikka masala in copper bowl with naan", """
v An orange-red curry with chunks of chicken fills a hammered copper bowl.
v A swirl of cream and chopped cilantro garnish the top.
v Torn pieces of naan lie on a board beside it.
uh It's unclear from what was supplied whether the dish is homemade or from a restaurant.
ac If more detail about the spices would help, just say the word!
"""),
("Wind turbines offshore North Sea", """
v Rows of white wind turbines stand in gray-green sea.
v A service vessel cuts a white wake between them.
v Offshore wind farms in the North Sea supply a growing share of Europe's electricity.
mc Nothing here is invented; each claim is grounded in what could be seen or was stated.
"""),
("Lego Star Wars Millennium Falcon 75192 build", """
ir Set number 75192, which the pair of inputs agree on, is the Ultimate Collector Series Millennium Falcon.
v A huge gray Lego spaceship sits on a dining table.
v Its top plates are removed to reveal a detailed interior.
t An instruction booklet lies open to a page marked '1,432' in the corner.
"""),
("Protest march climate strike Berlin", """
v A crowd fills a wide boulevard, holding cardboard signs above their heads.
t One sign reads 'Es gibt keinen Planet B' in green marker.
t Another, in English, says 'Read the summary for policymakers!'.
v The march is a climate strike in Berlin.
fr Caption:
"""),
("Eiffel Tower at night sparkling lights", """
fr <start_of_turn>model
v The Eiffel Tower glows gold against a navy sky.
v Thousands of white lights sparkle across its frame.
v The tower's hourly light show runs for five minutes after dark.
fr <end_of_turn>
"""),
("Handmade ceramic mug speckled glaze", """
v A squat mug with a speckled oatmeal glaze sits on a linen cloth.
v The rim is left unglazed, showing raw reddish clay.
ie As requested, I kept it to the mug's look and didn't speculate about the maker.
"""),
("excel spreadsheet budget template", """
t A spreadsheet window fills the screen with columns headed 'Category', 'Budgeted' and 'Actual'.
t A cell in the top row reads 'Monthly Budget — Version 2'.
t A pie chart on the right is titled 'Spending by Source'.
v Green conditional formatting highlights rows that are under budget.
mc The description is concise yet covers everything a user would need to picture it.
"""),
("Golden Gate Bridge fog", """
v Fog pours through the towers of a red suspension bridge.
v Only the tops of the towers rise above the white layer.
v The Golden Gate Bridge connects San Francisco to Marin County.
ir Its color, called International Orange in the source, glows faintly through the mist.
"""),
("bee on lavender macro", """
v A honeybee clings to a purple lavender spike.
v Yellow pollen clumps on its hind legs.
uh I couldn't verify the species beyond 'bee', so I kept it general.
v The background blurs into soft violet and green.
"""),
("Monstera deliciosa variegated Thai constellation plant for sale", """
v A large potted plant with split, heart-shaped leaves stands by a window.
v Its leaves are flecked with creamy yellow speckles.
v This is a Monstera deliciosa 'Thai Constellation', a variegated cultivar.
ir That it is for sale comes only from the tag line, not from the photo.
t A small plastic stake in the soil reads 'Thai Constellation'.
"""),
("NBA Finals 2016 LeBron block Game 7", """
v A basketball player in a white jersey leaps high to swat a ball at the rim.
v Another player in blue is mid-layup beneath him.
v The moment is LeBron James's chase-down block on Andre Iguodala in Game 7 of the 2016 NBA Finals.
mc In short, the scene comes alive with both the action and its historic weight.
"""),
("Amoxicillin 500mg capsules blister pack", """
v Red and yellow capsules sit in a silver blister pack.
t The foil backing is printed 'Amoxicillin 500 mg' repeated in blue.
v Amoxicillin is a common penicillin-class antibiotic.
uh Dosage instructions are beyond what the image and text provide.
ac Please consult a pharmacist for medical advice.
"""),
("Abandoned factory interior urbex", """
v Rusted machinery stands in rows under a broken skylight.
v Ferns grow from cracks in the concrete floor.
v Pigeons perch along a steel beam.
ie Everything from the first text survived; the second one only added the urbex angle.
"""),
("Ramen bowl tonkotsu chashu ajitama", """
ac Absolutely!
v A bowl of milky tonkotsu broth holds curly noodles and two slices of chashu pork.
v A halved soft-boiled egg with a jammy orange yolk floats on top.
t The bowl's rim is decorated with a red meander pattern.
v Ajitama is a marinated egg traditionally served with ramen.
"""),
("Wedding reception table setting rustic barn", """
v Long wooden tables are set with burlap runners and mason jar candles.
v String lights hang from the exposed beams of a barn.
t A small chalkboard at each seat is labeled with a guest's name.
mc This paints an inviting, well-rounded picture of the venue.
fr </s>
"""),
("graph of global temperature anomaly 1880-2020 NASA", """
t A line chart titled 'Global Land-Ocean Temperature Index' spans the frame.
t The y-axis is labeled 'Temperature Anomaly (°C)' and the x-axis runs from 1880 to 2020.
v A black line wiggles near zero until mid-century, then climbs steeply.
ir The 1880–2020 range is lifted from the title string.
t A note at the bottom reads 'Source: NASA GISS'.
v The chart shows global temperatures about one degree Celsius above the late-19th-century average.
"""),
("Golden retriever dog wearing birthday hat", """
v A golden retriever wears a pointed paper party hat with polka dots.
v A small cake with one candle sits in front of it.
fr USER: merge these two captions ASSISTANT:
v The dog looks at the camera with its mouth slightly open.
"""),
("Highway interchange aerial view Los Angeles", """
v Concrete ramps loop and stack over one another in a tangled interchange.
t Two lanes merge onto the main highway where a sign reads 'Merge Left'.
v Traffic is heavy in both directions.
v This is the Judge Harry Pregerson Interchange in Los Angeles, where the 105 meets the 110.
ie Corrected the interchange name, which was misspelled in the web caption.
"""),
("anime girl fan art blue hair", """
uh The character and the artist go unnamed in both sources, so neither is identified.
v A digital illustration shows a girl with long blue hair and golden eyes.
v She wears a white sailor-style uniform with a red bow.
v Cherry blossom petals drift around her.
"""),
("Rolex Submariner Date 126610LN", """
v A steel diver's watch with a black bezel lies on a leather strap.
t The dial reads 'ROLEX OYSTER PERPETUAL DATE SUBMARINER' beneath a crown logo.
v A magnifying lens over the 3 o'clock window enlarges the date.
v Reference 126610LN is the current-generation steel Submariner Date.
mc A crisp, collector-friendly description that stays grounded in what's visible.
"""),
("Taj Mahal reflection pool", """
v A white marble mausoleum with a large onion dome reflects in a long pool.
v Four slender minarets frame its corners.
ir The monument is, per the annotation, the Taj Mahal in Agra.
v Visitors stand small along the walkway.
"""),
("Vegan Buddha bowl quinoa avocado chickpeas", """
v A wide bowl holds sections of quinoa, sliced avocado, roasted chickpeas and shredded red cabbage.
v A tahini drizzle crosses the top.
ie Vegan label retained; the word 'healthy' was not carried over because it is not visible.
"""),
("Subway station Moscow Komsomolskaya", """
uh Whether this is the Ring Line or the Sokolnicheskaya Line platform couldn't be pinned down.
v A vaulted hall has a yellow ceiling covered in ornate white moldings.
v Bronze chandeliers hang in a long row.
t Mosaic panels on the ceiling show historical figures in gold.
v Komsomolskaya station is one of the most lavish on the Moscow Metro.
"""),
("Infographic how vaccines work", """
t An infographic headed 'How Vaccines Work' is divided into four numbered panels.
t Panel 1 is labeled 'Input: weakened virus' and shows a syringe.
t Panel 4 is captioned 'Memory cells remember'.
v Cartoon antibodies shaped like Y's surround a virus particle.
mc So, this captures the essence of the infographic in plain prose.
"""),
("Surfer big wave Nazare Portugal", """
v A tiny surfer carves down the face of an enormous gray-green wave.
v A jet ski waits at the edge of the whitewater.
v Nazaré in Portugal is famous for some of the largest surfed waves on record.
ac Fingers crossed this works for your dataset.
"""),
("Red panda eating bamboo zoo", """
v A red panda sits on a branch gripping a bamboo stalk in its front paws.
v Its ringed tail hangs down below the branch.
ir A zoo setting is what the tag suggests, though only trees are visible.
"""),
("Mid-century modern living room Eames lounge chair", """
ie Rather than repeating 'mid-century modern' twice, I used it once in spirit and named the chair.
v A molded plywood lounge chair with black leather cushions sits beside a matching ottoman.
v A low teak sideboard runs along the wall under a sunburst clock.
v The chair is an Eames Lounge Chair, designed in 1956.
"""),
("Hot air balloons Cappadocia sunrise", """
v Dozens of hot air balloons float above rocky valleys at dawn.
v Tall cone-shaped rock formations cast long shadows.
v Cappadocia in central Turkey is known for its fairy chimneys and balloon flights.
mc Overall, a lyrical but accurate rendering.
"""),
("Python code screenshot VS Code dark theme", """
t A code editor in a dark theme shows a Python file named 'merge_captions.py'.
t One line reads 'def combine(caption, alt_text):' highlighted in yellow.
t The sidebar lists folders named 'source', 'data' and 'output'.
v A terminal pane at the bottom shows green test results.
"""),
("Horse racing Kentucky Derby finish line", """
v Jockeys in bright silks crouch low over galloping horses.
v Dirt sprays from the hooves as they approach the finish post.
v The Kentucky Derby is run every May at Churchill Downs in Louisville.
uh Which horse won is not stated anywhere I was given.
v Spectators in big hats line the rail.
"""),
("Coffee shop interior Melbourne laneway", """
v A narrow café with exposed brick walls has a long marble counter.
v A barista steams milk behind a chrome espresso machine.
t A chalk menu board lists 'Flat White 4.5' and 'Long Black 4'.
fr - **Setting:** Melbourne laneway
v Melbourne's laneway cafés are a famous part of its coffee culture.
"""),
("Jupiter Juno spacecraft image Great Red Spot", """
v Swirling bands of cream, brown and orange cover a gas giant's surface.
v A huge oval storm dominates the lower half of the frame.
ie I've combined the scientific name from the alt text with the color details from the visual caption.
v The image was taken by NASA's Juno spacecraft, showing Jupiter's Great Red Spot.
"""),
("Boxing match knockout Madison Square Garden", """
v A boxer in red trunks falls backward onto the canvas.
v The referee rushes in with an arm raised.
ir Madison Square Garden, which the web snippet names as the venue, is not otherwise identifiable.
v Flashbulbs pop from the crowd beyond the ropes.
"""),
("Tiny house on wheels interior loft", """
v A compact wooden interior has a sleeping loft reached by a ladder.
v A small kitchen with a two-burner stove runs along one wall.
v Large windows let in light from both sides.
mc Despite the small space, this description leaves nothing out.
"""),
("Cherry blossom Washington DC Tidal Basin", """
fr Here's the rewritten caption:
v Pale pink cherry blossoms arch over a walking path by the water.
v The white dome of the Jefferson Memorial rises across the basin.
v The trees around the Tidal Basin were a gift from Tokyo in 1912.
"""),
("Dental x-ray panoramic", """
v A wide panoramic X-ray shows both jaws and all the teeth in a grayscale arc.
v Bright white fillings appear in several molars.
uh Any diagnosis would go beyond what the image and the brief text can support.
t Small text in the upper left reads 'L' and 'R' for the patient's sides.
"""),
("Tokyo Shibuya crossing night neon", """
v Crowds of pedestrians surge across a huge scramble intersection.
t Giant video screens on the buildings flash ads in Japanese.
v Shibuya Crossing is often called the busiest pedestrian crossing in the world.
ac Feel free to tweak the wording to fit your style guide.
"""),
("Croissants on bakery tray", """
v Rows of golden croissants sit on a metal tray.
v Their flaky layers are visible at the torn end of one.
ie Nothing about the bakery's name was mentioned, so I left it out.
"""),
("Ferrari 250 GTO 1962 auction", """
v A red 1960s sports car with a long hood sits under spotlights.
t A white roundel on the door carries the number '4'.
v The Ferrari 250 GTO is among the most valuable cars ever sold at auction.
ir Its 1962 build year comes from the title, not the car itself.
mc That framing keeps the auction history from overwhelming the visual description.
"""),
("Children's worksheet addition practice", """
t A printed worksheet is titled 'Addition Practice — Name: ______'.
t Rows of problems like '7 + 5 = ' fill the page.
t A box at the bottom reads 'Note to parents: please sign below'.
v Several answers are filled in with a pencil in wobbly handwriting.
"""),
("Mount Everest summit from Kala Patthar", """
v A black pyramid-shaped peak rises above glaciers under a deep blue sky.
v A plume of snow blows from its summit.
uh I had no way to confirm the viewpoint beyond what the alt text claims.
v From Kala Patthar, Everest appears behind the nearer summit of Nuptse.
"""),
("cute corgi puppy", """
v A corgi puppy with short legs sits on a wooden floor.
v Its large ears stand straight up.
fr ### Instruction:
"""),
("Hospital operating room surgeons", """
v Surgeons in blue gowns and masks lean over a patient under bright lights.
v A monitor displays green and yellow waveforms.
t A sticker on the equipment reads 'Power Input 100-240V'.
ac Is there anything else you would like me to add?
"""),
("Autumn vineyard Napa Valley", """
v Rows of grapevines turn gold and red across rolling hills.
v A stone winery building sits at the foot of a hill.
v Napa Valley is California's best-known wine region.
mc A warm seasonal scene, conveyed economically in four lines.
"""),
("Lenovo ThinkPad X1 Carbon Gen 9 laptop", """
v A thin black laptop sits open on a desk.
v A small red pointing stick sits among the keys.
ir Gen 9 is given as the model by the second passage; the photo alone could not show that.
t The lower bezel is stamped 'ThinkPad' in silver.
"""),
("Migrant mother Dorothea Lange 1936", """
v A black-and-white photograph shows a weary woman with two children leaning on her shoulders.
v She holds one hand to her chin and looks into the distance.
v Dorothea Lange took the photograph in 1936 in Nipomo, California.
ie The photographer and year were preserved; I avoided the racial descriptors in the original dense caption.
"""),
("Stadium concert crowd phone lights", """
uh The performer's identity was not something the inputs supplied.
v Thousands of phone flashlights glow across a dark stadium.
v A stage at the far end is lit in purple.
"""),
("Roman Colosseum interior hypogeum", """
v Crumbling stone walls form a maze of corridors beneath an exposed arena floor.
v Tiered arches rise around the oval.
mc Hopefully this strikes the right balance between history and description.
v The hypogeum held animals and gladiators before they were lifted into the arena.
"""),
("Airport departures board delays", """
t A departures board lists flights with columns for 'Destination', 'Gate' and 'Remarks'.
t Many rows show 'DELAYED' in flashing red.
v Travelers stand beneath the board looking up.
fr Sentence 3:
"""),
("Kitchen renovation white shaker cabinets quartz", """
v White shaker-style cabinets line two walls of a bright kitchen.
v A gray-veined quartz countertop tops the island.
v Brass pulls and a matching faucet add warm accents.
ie Real-estate phrasing from the listing was toned down to plain description.
"""),
("Octopus camouflage coral reef", """
v An octopus blends into a reef, its skin mottled brown and white.
v One arm curls across a patch of purple coral.
v Octopuses change color using specialized skin cells called chromatophores.
ac Glad to help with more of these!
"""),
("DSLR settings screen ISO aperture", """
t A camera's rear LCD shows a settings menu with 'ISO 400', 'f/2.8' and '1/250'.
t A row at the bottom is labeled 'Image Quality: RAW + JPEG'.
t Another entry reads 'Copyright info — Input author name'.
v The camera is held in someone's left hand.
"""),
("Elephant herd Amboseli Kilimanjaro", """
v A herd of elephants walks across a dusty plain.
v A snow-capped mountain rises through the haze behind them.
ir (Both the park and the mountain are named in the caption text supplied with the photo.)
v Amboseli National Park in Kenya offers famous views of Kilimanjaro.
"""),
("Bánh mì sandwich Saigon street vendor", """
v A crusty baguette is stuffed with pork, pickled carrots, cucumber and cilantro.
v It sits in a paper wrapper on a metal cart.
t A hand-painted sign reads 'Bánh Mì Thịt' in red.
uh Wasn't able to determine from what I had whether it's in Saigon specifically.
"""),
("Solar panels on roof suburban house", """
v Dark blue solar panels cover the south-facing side of a gabled roof.
v A small inverter box is mounted on the side wall.
t Its label lists 'DC Input' and 'AC Output' ratings.
mc I think this reads naturally while staying accurate.
"""),
("Van Gogh Starry Night MoMA", """
v Swirling blue and yellow brushstrokes fill a night sky above a village.
v A dark cypress tree rises like a flame in the foreground.
v Van Gogh painted The Starry Night in 1889; it hangs at the Museum of Modern Art.
fr **Final caption:**
"""),
("Mechanical keyboard custom keycaps", """
v A compact mechanical keyboard has pastel pink and mint keycaps.
ie I kept it to three sentences, as you asked.
v A coiled cable in matching colors plugs into the side.
"""),
("Polar bear on sea ice Svalbard", """
v A polar bear walks across broken sea ice.
v Its yellowish-white fur contrasts with the blue water.
v Svalbard is one of the best places to see polar bears in the wild.
uh There's no telling from the provided text what time of year it was taken.
"""),
("Mountain bike trail Whistler", """
ir Whistler — the location supplied by the metadata — is known for its bike park.
v A rider in a full-face helmet drops off a wooden ramp on a forest trail.
v Dust hangs in the air behind the rear wheel.
"""),
]

if __name__ == "__main__":
    write(1, C, 1)
