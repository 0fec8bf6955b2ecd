"""Part 5: hand-written captions (template families, markdown labels, clean long captions)."""
from common import write

C = [
("Neuschwanstein Castle Bavaria winter", """
v A white castle with slender turrets perches on a rocky ridge above snowy forest.
v Its towers are capped with blue-gray conical roofs.
v A narrow iron bridge spans a gorge behind it.
v Neuschwanstein was commissioned by King Ludwig II of Bavaria in 1869.
v Snow weighs down the branches of the fir trees in the foreground.
v The sky is a pale winter blue.
"""),
("Apple pie lattice crust", """
fr <<SYS>>
fr <</SYS>>
v A golden apple pie with a woven lattice crust cools on a windowsill.
v Caramelized juices bubble through the gaps.
v Coarse sugar sparkles on top of the pastry.
v A checked tea towel is folded beside the dish.
"""),
("Tallinn old town Estonia rooftops", """
v Red-tiled rooftops crowd together inside medieval stone walls.
v Pointed church spires rise above them.
t A street sign on a corner reads 'Pikk tänav'.
v Tallinn's Old Town is one of the best-preserved medieval cities in northern Europe.
ir Per the hashtag (#tallinnoldtown), that's the city.
v Wisps of chimney smoke drift across the view.
"""),
("Running shoes product photo white background", """
v A pair of neon-green running shoes floats against a plain white background.
v Thick foam midsoles curve up at the toe.
v Reflective strips stripe the heels.
t A small tag on the tongue reads 'Size 9 US'.
mc Clean and sell-ready — exactly what an e-commerce page would want.
ac Shall I also write bullet-point features?
"""),
("Whiteboard brainstorm sticky notes startup", """
v A whiteboard is covered in yellow, pink and blue sticky notes.
t Columns are headed 'Problem', 'Solution' and 'Key Metrics' in black marker.
t One note says 'merge onboarding + signup?'.
t Another reads 'Draft summary for investors'.
v A marker cap lies on the tray below.
v Two people stand with their backs to the camera, pointing at the notes.
"""),
("Pyramids of Giza camel rider", """
v Three pyramids rise out of the desert behind a rider on a camel.
v The camel wears a colorful woven saddle blanket.
v The Great Pyramid of Khufu is the oldest of the Seven Wonders of the Ancient World.
ir The rider's name is in the photo credit line; he is left unnamed.
v Hazy sunlight washes the sand in pale gold.
fr <|end|>
"""),
("Doner kebab shop Berlin", """
v A vertical spit of browned meat turns in front of a heating element.
v A cook shaves thin slices into a tray.
t A lit menu above lists 'Döner im Brot 6,50 €' and 'Dürüm 7,50 €'.
v Döner kebab in bread was popularized by Turkish immigrants in Berlin.
ac Guten Appetit!
"""),
("Hurricane satellite image eye", """
v A huge white spiral of cloud swirls over dark ocean.
v A clear, round eye sits at its center.
v Tight bands of thunderstorms wrap around the eye wall.
uh The storm's name and date aren't in anything that was handed over.
mc Scientifically careful, not sensational.
v A thin line of coastline peeks out at the top left.
"""),
("Ceramic vase Ming dynasty blue and white", """
v A tall porcelain vase is painted with cobalt-blue dragons among clouds.
v Its neck is ringed with a band of lotus scrolls.
v Blue-and-white porcelain flourished in China under the Ming dynasty.
ir The auction lot number and estimate from the catalogue entry are left out.
v It stands on a carved wooden base under museum lighting.
"""),
("Fireflies forest long exposure", """
v Countless tiny yellow lights streak between dark tree trunks.
v A faint path winds through the forest floor.
v The long exposure turns each firefly into a short glowing trail.
fr ***
"""),
("Job application form paper", """
t A paper form is headed 'Application for Employment'.
t Fields read 'Full Name', 'Position Applied For', 'Source of Referral' and 'Signature'.
t A checkbox line asks 'Have you provided all supporting documents?'.
v A blue pen lies across the form, which is half filled in.
v A coffee ring stains the upper corner.
"""),
("Mountain lake reflection Moraine Lake Banff", """
v A turquoise lake reflects a row of jagged snow-dusted peaks.
v A pile of logs floats near the shore.
v Moraine Lake in Banff National Park gets its color from glacial rock flour.
ie The 'Valley of the Ten Peaks' nickname from the alt was not carried over.
v Pine trees frame the left edge.
ac You can tell me to put the nickname back in.
"""),
("Man on phone city street rain umbrella", """
v A man in a gray trench coat holds a black umbrella and talks on his phone.
v Rain bounces off the crosswalk stripes.
v Headlights blur in the background.
v A yellow taxi waits at the light.
mc Moody and cinematic.
"""),
("Cotton candy carnival pink", """
ac Hi there!
ac Here's what I came up with.
v A child holds a cloud of pink cotton candy on a paper cone.
v A Ferris wheel glows in the evening sky behind her.
v Carnival lights reflect in her eyes.
"""),
("Bicycle repair shop tools wall", """
v Wrenches, pliers and tire levers hang in neat rows on a pegboard.
v A road bike is clamped in a repair stand.
ir Whether the shop is in Amsterdam, as the keywords say, can't be told from inside.
t A hand-lettered sign reads 'Flat fix — 15 min'.
v A cardboard box of inner tubes sits on the floor.
"""),
("Christmas market Strasbourg night", """
v Wooden chalets with glowing windows line a cobbled square.
v A huge decorated tree towers over the stalls.
t A banner over the street reads 'Strasbourg Capitale de Noël'.
v Strasbourg's Christkindelsmärik dates back to 1570.
v Crowds in winter coats sip from steaming mugs.
fr [Merged Caption]
"""),
("Scuba diver manta ray Maldives", """
ir The Maldives comes from the uploader's location field.
v A diver in a black wetsuit hovers beside an enormous manta ray.
v The manta's wings stretch wider than the diver is tall.
v Sunbeams slant through clear blue water.
uh Whether it's a reef manta or an oceanic manta can't be settled from the given words.
"""),
("Classroom chalkboard math equations", """
t A chalkboard is covered in equations, including 'E = mc²' and an integral sign.
t In the corner someone has written 'Summary: energy and mass are equivalent'.
v Chalk dust smudges the lower half.
v A wooden desk in front holds a stack of papers.
"""),
("Maine lobster roll", """
v A toasted split-top bun overflows with chunks of lobster meat.
v A lemon wedge and potato chips share the paper boat.
mc Very much a postcard in prose — appetizing and local.
v Lobster rolls are a summer staple along the coast of Maine.
"""),
("Skyline Dubai Burj Khalifa", """
v A needle-like skyscraper rises far above a cluster of glass towers.
v The desert haze softens the horizon.
v The Burj Khalifa, at 828 meters, is the world's tallest building.
fr Assistant: Sure.
"""),
("Wolf howling moon", """
ie I dropped the alt's word 'majestic' since it isn't a visual detail.
v A gray wolf stands on a rock with its head raised, howling.
v A full moon hangs in a deep blue sky behind it.
"""),
("Modern art installation mirror room Kusama", """
v A dark mirrored room is filled with hanging colored lights that repeat endlessly.
v A visitor's silhouette is reflected dozens of times.
v Yayoi Kusama's Infinity Mirror Rooms use mirrors to create the illusion of boundless space.
mc An immersive work, and the prose matches its sense of infinity.
"""),
("Car dashboard warning lights", """
t A car's instrument cluster shows an orange engine icon and a red battery symbol.
t The digital display reads 'Service due in 500 km'.
v The speedometer needle rests at zero.
ac If you tell me the car model I can be more specific.
"""),
("Swiss Alps train Glacier Express", """
v A red train winds over a curved stone viaduct in the mountains.
v Snowy peaks rise in every direction.
v The Glacier Express runs between Zermatt and St Moritz.
ir That detail came from the blurb, and the Landwasser Viaduct is named in it too.
v Pine forest covers the lower slopes.
"""),
("Laboratory western blot gel image", """
t A grayscale gel image shows dark bands in numbered lanes labeled '1' to '8'.
t A ladder on the left is marked with sizes like '75 kDa' and '50 kDa'.
v Two lanes show noticeably thicker bands than the others.
uh Which protein was probed goes unmentioned in the source material.
fr Figure 1.
"""),
("Street art mural Banksy girl with balloon", """
v A stenciled black-and-white girl reaches toward a red heart-shaped balloon.
v The mural is painted on a weathered brick wall.
mc Recognizable at once, and the wording respects that.
t Scrawled beside it are the words 'There is always hope'.
v Banksy's Girl with Balloon first appeared in London around 2002.
"""),
("Cupcakes rainbow sprinkles", """
v A dozen cupcakes with swirls of white frosting sit in a cardboard box.
v Rainbow sprinkles cover each one.
fr - **Food:** cupcakes
fr - **Colors:** rainbow
"""),
("Welsh castle Conwy medieval walls", """
v A stone castle with eight round towers guards a river estuary.
v Medieval town walls run up the hill behind it.
v Conwy Castle was built by Edward I in the 1280s.
ie I reconciled the two dates by keeping only the decade.
v Small boats are moored in the harbor.
"""),
("Seed packet tomatoes vintage", """
t A paper seed packet shows a drawing of red tomatoes on a vine.
t The front reads 'Brandywine — Heirloom Variety'.
t The back lists 'Days to maturity: 80' and 'Original seed source: Amish farms'.
v The packet is slightly creased at one corner.
"""),
("New York taxi cab Times Square", """
v Yellow taxis crowd a street beneath towering digital billboards.
v Pedestrians fill the sidewalks in a blur of motion.
v Times Square is lit by some of the brightest billboards in the world.
ir Which year — 2016, per the EXIF note — isn't evident.
ac I could redo it with a nighttime tone if you prefer.
"""),
("Koala eucalyptus tree", """
v A koala clings to a eucalyptus branch, eyes half-closed.
v Its fluffy gray ears stick out on both sides.
mc Endearing and informative in equal measure.
v Koalas sleep up to 20 hours a day.
"""),
("Engine diagram car internal combustion four stroke", """
t A cutaway diagram of a piston cylinder is labeled 'Intake', 'Compression', 'Power' and 'Exhaust'.
t Arrows show the piston's movement with a caption reading 'Four-stroke cycle'.
v The fuel-air mixture is drawn in blue and the exhaust in gray.
ie Merged the four-stroke term from the title into the description.
"""),
("Surf shop Hawaii North Shore boards", """
uh Couldn't pin down the exact town on the North Shore.
v Colorful surfboards stand upright in a rack outside a wooden shack.
v Palm trees sway above the roof.
t A painted sign reads 'North Shore Surf Rentals'.
"""),
("Aerial photograph Venice Grand Canal", """
fr Here is the combined output:
v The Grand Canal curves in a reversed S through a dense city of terracotta roofs.
v Vaporetti and gondolas leave white wakes on the green water.
v The Rialto Bridge arches across the canal near the center.
v Venice is built on more than a hundred small islands.
"""),
("Orchid white phalaenopsis", """
v A white orchid arches from a glazed blue pot.
ir The phalaenopsis name, taken from what the seller wrote, matches the flower's shape.
v Each bloom has a magenta-speckled center.
"""),
("Burger fries diner", """
v A thick cheeseburger with lettuce and tomato sits on a red plastic tray.
v A paper cone of fries leans beside it.
v A chrome napkin dispenser reflects the scene.
mc Classic diner fare, described with real appetite.
"""),
("Boats on Li River Guilin karst", """
v Bamboo rafts drift down a river between steep limestone peaks.
v Mist softens the farther peaks into gray silhouettes.
v The karst landscape around Guilin appears on China's 20-yuan banknote.
ac I hope this suits your needs — happy to revise.
"""),
("Graduation caps thrown in air", """
v Graduates in black gowns toss their caps into a blue sky.
ir The school, given only in the tag, is Stanford.
v Tassels flutter as the caps spin.
"""),
("Museum dinosaur skeleton T. rex", """
v A towering dinosaur skeleton stands in a marble hall.
v Its huge skull is lined with curved teeth.
t A placard at its feet reads 'Tyrannosaurus rex — Late Cretaceous'.
v Tyrannosaurus rex lived about 68 to 66 million years ago.
fr </caption>
"""),
("Waterfall Plitvice Lakes Croatia boardwalk", """
v Wooden boardwalks zigzag over clear turquoise pools.
v Dozens of small waterfalls spill between terraces.
v Plitvice Lakes National Park is Croatia's oldest national park.
mc Refreshing, precise, and nicely paced.
"""),
("Beekeeper inspecting hive frame", """
uh The keeper's location is a blank in both descriptions.
v A beekeeper in a white veiled suit holds up a honeycomb frame covered in bees.
v Smoke drifts from a metal smoker on the hive.
"""),
("Film camera roll 35mm Kodak Portra", """
v A canister of 35mm film lies next to an open camera back.
t The canister label reads 'Kodak Portra 400'.
ie Film stock taken over from the alt text, matching the label.
v A few frames of developed negatives curl on the table.
"""),
("Istanbul Grand Bazaar lamps", """
v Mosaic glass lamps in red, blue and amber hang in dense clusters.
v Their light throws colored patterns across a vaulted ceiling.
v The Grand Bazaar in Istanbul is one of the oldest covered markets in the world.
fr Caption 1 of 1
"""),
("Skier powder jump backcountry", """
v A skier launches off a snowy ridge, spraying powder behind.
v Pine trees dot the slope below.
ac Different tone needed?
ac Just ask.
"""),
("Mural Diego Rivera Detroit Industry", """
ir Which wall of the court this is was named in the second passage.
v A huge fresco shows workers operating massive machines on an assembly line.
v Muscular figures strain in tones of gray, ochre and red.
v Diego Rivera painted the Detroit Industry Murals in 1932–33 at the Detroit Institute of Arts.
"""),
("Sleeping baby in crib", """
v A baby sleeps on its back in a white crib.
mc Tender and uncluttered.
v Tiny fists rest near its cheeks.
"""),
("Hong Kong minibus sign", """
v A cream-and-green minibus stops at a curb.
t The destination board reads '旺角 Mong Kok' in red.
ir The route number, which the scraped text gives as 6, is not visible.
v Passengers climb in through the side door.
"""),
("Campfire marshmallows night", """
v Marshmallows on sticks toast over a crackling campfire.
v Sparks rise into the dark sky.
v Faces around the fire glow orange.
fr Caption:
"""),
("Art deco building Miami Beach Ocean Drive", """
v A pastel pink building with rounded corners and neon trim faces a palm-lined street.
t Vertical neon lettering spells 'The Colony'.
v Ocean Drive in Miami Beach holds one of the largest Art Deco districts anywhere.
mc This feels very Miami and very correct.
"""),
("Knee x-ray arthritis", """
v A grayscale X-ray shows a knee joint from the front.
uh Any claim about arthritis would overstep what the information I had can support.
v The gap between the bones is narrowed on one side.
"""),
("Llama Machu Picchu", """
v A fluffy white llama stands on a grassy terrace.
v The stone ruins of Machu Picchu spread across a ridge behind it.
v Huayna Picchu rises steeply in the background.
ac Ask me if you need more Peru captions.
"""),
("Spreadsheet pivot table screenshot", """
t A spreadsheet shows a pivot table with rows labeled 'North', 'South' and 'West'.
t The field list pane on the right includes 'Region', 'Product' and 'Data Source'.
t A header cell reads 'Sum of Sales'.
v The totals row is bold.
"""),
("Angkor Wat sunrise reflection", """
ie I rearranged the order so that the setting comes first.
v Five lotus-bud towers are silhouetted against an orange sunrise.
v A reflecting pool doubles them in the foreground.
v Angkor Wat was built in the early 12th century.
"""),
("Street dog India sleeping", """
v A tan street dog sleeps curled on a warm stone step.
ir India — as named by the short text — is plausible given the rickshaw.
v A rickshaw is parked nearby.
"""),
("Golf course Augusta azaleas", """
v A manicured green fairway is edged with blooming pink azaleas.
v A white flag marks the hole on the green.
mc Elegant, fitting the venue.
v Augusta National hosts the Masters each April.
"""),
("Spices in bowls Indian market", """
v Heaped bowls of turmeric, chili powder, cumin and cardamom sit on a wooden table.
v The colors range from bright yellow to deep red.
fr ==========
"""),
("Bee hotel insect house garden", """
uh The bee type: not in what I received.
v A wooden box filled with hollow bamboo tubes hangs on a garden fence.
v A small solitary bee perches at the entrance of one tube.
"""),
("Frozen lake skaters Amsterdam canal", """
v Skaters glide across a frozen canal between gabled houses.
v A child holding a chair pushes along the ice.
v Canals in Amsterdam freeze solid only in unusually cold winters.
ac Stay warm!
"""),
("Abstract painting Rothko color fields", """
v Two soft-edged rectangles of deep red and maroon float on an orange ground.
v Their edges blur as if glowing.
ir The title 'No. 14' from the wall text isn't visible in the frame.
v Mark Rothko painted large color-field canvases meant to envelop the viewer.
"""),
("Mexican alebrije wooden sculpture", """
v A carved wooden creature is painted in dizzying dots, stripes and swirls.
v It has the body of a jaguar and the wings of a bird.
v Alebrijes are folk-art sculptures from Oaxaca.
mc Playful, like the piece itself.
"""),
("Road sign Iceland one lane bridge", """
t A triangular road sign shows two lanes narrowing into one.
t A smaller sign beneath it reads 'Einbreið brú'.
v A narrow steel bridge crosses a glacial river just ahead.
fr ```
"""),
("Tea plantation Munnar Kerala", """
v Neatly trimmed tea bushes cover rolling hills like green velvet.
v Workers with baskets on their backs move between the rows.
ie I included the 19th-century history only because the alt explicitly stated it.
v Munnar in Kerala has been growing tea since the 19th century.
"""),
("Laptop stickers developer", """
v A gray laptop lid is covered with stickers.
t Stickers read 'git push --force', 'It works on my machine' and 'Open Source'.
t One hexagon sticker is labeled 'Python'.
ac I can list the stickers separately — your call.
"""),
("Kayak in crystal clear water Lake Tahoe", """
v A red kayak floats over water so clear that the rocks below are visible.
v A paddle rests across the cockpit.
ir Lake Tahoe, says the title; could be elsewhere.
"""),
]

if __name__ == "__main__":
    write(5, C, 401)
