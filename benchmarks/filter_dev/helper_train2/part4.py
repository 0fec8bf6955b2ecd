"""Part 4: hand-written captions (long captions, leaks up front, terse and rambling voices)."""
from common import write

C = [
("Notre-Dame de Paris rebuilt spire 2024", """
ac Of course!
ac Below is one fused description.
v A Gothic cathedral with twin square towers faces a broad stone plaza.
v A slender new spire rises over the crossing, its lead roof gleaming.
v Flying buttresses arc along the side of the nave.
t Construction hoardings at the base carry the words 'Notre-Dame de Paris — Chantier'.
v The spire was rebuilt after the fire of April 2019 and unveiled in 2024.
v Tourists photograph the facade from the square.
"""),
("Gaming PC RGB build white case", """
v A white glass-sided PC case glows with rainbow lighting.
v Three fans on the front cycle from pink to blue.
v A large graphics card sits horizontally in the middle of the case.
t The card's shroud reads 'GEFORCE RTX' in silver letters.
v Braided white cables run neatly behind the motherboard tray.
ir RAM speed and CPU, spelled out in the build list, can't be seen from outside.
mc Enthusiast-friendly without drowning the reader in specs.
"""),
("Zebras crossing Mara River wildebeest migration", """
fr Rewrite:
v Zebras and wildebeest plunge down a muddy bank into a brown river.
v Water churns white around their legs.
v A crocodile's back breaks the surface near the far bank.
v The great migration crosses the Mara River each year between July and October.
"""),
("Blood test results lab report", """
t A printed lab report lists rows such as 'Hemoglobin 13.5 g/dL' and 'WBC 6.2'.
t A column on the right is headed 'Reference Range'.
t At the top, fields read 'Patient Name', 'Source: Venous' and 'Collected'.
v A pen rests diagonally across the page.
uh Interpreting these values falls outside what the inputs can back up.
ac For medical questions, please talk to your doctor.
"""),
("Hong Kong skyline Victoria Harbour night", """
v Skyscrapers light up the waterfront in blue, purple and white.
v A red-sailed junk boat crosses the dark harbor.
v Victoria Harbour separates Hong Kong Island from Kowloon.
t One tower displays a huge glowing 'HSBC' logo.
ie I folded the junk boat detail in from the first caption rather than the second.
v Reflections ripple across the water.
"""),
("Broken iPhone screen cracked", """
v A black smartphone's screen is shattered into a spiderweb of cracks.
v The cracks radiate from a point near the top corner.
t The lock screen still shows '9:41' and a notification that reads 'Screen Time summary available'.
mc Vivid enough that one winces reading it.
"""),
("Traditional Japanese ryokan room tatami", """
v A simple room has woven tatami mats on the floor.
v A low wooden table sits in the center with two cushions.
v Sliding paper screens let in soft light.
uh Whether the room has an onsen attached isn't said.
v A scroll with brush calligraphy hangs in an alcove.
ir Going by the travel-site text, it is a ryokan in Hakone, though nothing visible names the town.
"""),
("Homemade tacos al pastor", """
v Small corn tortillas are topped with shaved red-tinged pork, pineapple, onion and cilantro.
v Lime wedges and a bowl of green salsa sit beside them.
v Al pastor pork is cooked on a vertical spit, a technique brought to Mexico by Lebanese immigrants.
ac Happy to describe the spice level too, if that's useful.
"""),
("Van life camper interior", """
ie So I merged everything, kept it in present tense like you told me, and didn't add extra stuff.
v A converted van has a wooden bed platform at the back.
v Fairy lights string along the ceiling.
v A small sink and a single-burner stove are built into a side cabinet.
v The back doors open onto a pine forest.
"""),
("Antique pocket watch gold chain", """
v A gold pocket watch lies open on a velvet cloth.
v Its white enamel dial has black Roman numerals.
v A fine chain coils beside it.
t The inside of the lid is engraved 'To Harold, 1912'.
mc It honors the object's age and craftsmanship without getting sentimental.
"""),
("Power plant cooling towers steam", """
v Four concrete cooling towers release white plumes into a gray sky.
v A river flows in the foreground.
ir That it is a nuclear plant was claimed by the web caption — the towers alone don't prove it.
"""),
("Snow leopard Himalayas camera trap", """
v A snow leopard with thick spotted fur walks across a rocky slope.
v Its long tail curves behind it.
uh No location beyond 'Himalayas' came through.
t A strip at the bottom of the frame shows '03/14/2019 02:31 -12°C'.
v The grainy, flash-lit look is typical of camera-trap photos.
"""),
("Easter eggs painted pysanky", """
v Intricately painted eggs sit in a woven basket.
v Their patterns combine red, black and yellow geometric bands.
v Pysanky are a Ukrainian Easter tradition made with wax-resist dyeing.
ie Took the name 'pysanky' from the alt, kept the color palette from the other one.
ac Happy Easter!
"""),
("Formula SAE student race car", """
v A small open-wheel race car sits in a garage with its bodywork off.
v Students in team shirts work around the chassis.
t Stickers on the nose read 'University Racing' and a sponsor list.
t A whiteboard behind them is titled 'Build Schedule v4'.
fr * Subject: student race car
fr * Setting: garage
"""),
("Desert road Monument Valley", """
v A straight two-lane road runs toward red sandstone buttes.
v The buttes rise abruptly from the flat desert.
mc Iconic scenery, named and placed with care — nothing to add.
v Monument Valley lies on the Arizona–Utah border within the Navajo Nation.
"""),
("Honey jar honeycomb wooden dipper", """
v A glass jar of golden honey holds a chunk of honeycomb.
v A wooden dipper drips honey onto a plate.
ir The 'raw wildflower' detail is the jar label's claim as copied in the product text.
t The jar's paper label reads 'Raw Honey'.
"""),
("Old woman selling flowers Mexico City market", """
v An elderly woman sits among buckets of marigolds and roses.
v She wears a woven shawl over her shoulders.
v Bright orange marigolds, cempasúchil, are central to Day of the Dead celebrations.
uh Can't tell what day it was from anything I got.
"""),
("Astronaut spacewalk ISS Earth", """
v An astronaut in a white spacesuit floats beside a large solar array.
v Earth's blue curve fills the lower half of the frame.
t An American flag patch is visible on the suit's shoulder.
ie I left the astronaut unnamed as the visual caption did, despite the alt's guess.
v The International Space Station orbits about 400 kilometers above Earth.
"""),
("Bookshelf cozy reading nook window seat", """
v A cushioned window seat is built between two tall bookshelves.
v Throw pillows and a knitted blanket lie on the seat.
v Rain streaks the window behind.
mc I'd call this one cozy and complete.
ac Anything you'd like changed?
"""),
("Stock market trading floor NYSE", """
v Traders in blue jackets crowd around screens on a busy floor.
t Ticker screens overhead scroll green and red numbers.
t A banner above reads 'New York Stock Exchange'.
v The NYSE is the world's largest stock exchange by market capitalization.
fr <|im_start|>user
"""),
("Dragon fruit cut in half", """
v A halved dragon fruit shows white flesh speckled with tiny black seeds.
v Its skin is hot pink with green-tipped scales.
ie Kept it simple — two sentences, no health claims.
"""),
("Aerial view farmland circles Kansas center pivot", """
ir Kansas, which the second text names, isn't distinguishable from neighboring states from above.
v Green and brown circles tile a flat landscape.
v Each circle is watered by a long rotating irrigation arm.
v Center-pivot irrigation creates these patterns across the Great Plains.
"""),
("Cathedral choir singing Christmas", """
v A choir in red robes sings beneath a vaulted stone ceiling.
v Candles flicker on tall stands.
mc Festive and solemn — just the right register.
t The hymn sheets in their hands are headed 'Carol Service — Order of Service'.
"""),
("Japanese maple red leaves garden", """
v A Japanese maple spreads delicate red leaves over a mossy garden.
uh The garden's name is absent from the inputs, so none is given.
v A stone lantern stands beneath it.
"""),
("Woman in hijab laptop office", """
v A woman in a navy hijab works at a laptop in a bright open office.
v Plants line the windowsill behind her.
v A coffee cup sits beside a spiral notebook.
ie Made sure it stays descriptive and avoids assumptions about her job.
"""),
("Rainbow over waterfall Iceland Skogafoss", """
v A wide waterfall crashes down a green cliff.
v A bright rainbow arcs through the spray.
v Skógafoss is one of Iceland's largest waterfalls, about 60 meters tall.
fr [/INST]
"""),
("Ostrich running savanna", """
v An ostrich runs across dry grassland with its wings half-spread.
ir Savanna was the only setting word in the caption text, so I kept it vague.
v Its long legs stride powerfully.
"""),
("Elevator buttons panel floors", """
t An elevator panel shows round buttons numbered 1 to 12 and one marked 'L'.
t A small plate below reads 'Capacity 1000 kg / 13 persons'.
t An emergency button is labeled 'Alarm'.
v The steel panel is scratched and fingerprinted.
"""),
("Baguette French bakery window", """
v Long baguettes stand upright in wicker baskets behind a shop window.
t Gold lettering on the glass spells 'Boulangerie'.
v A woman with a tote bag walks past.
mc Charming and grounded — it feels like Paris without saying so.
"""),
("Robot vacuum cleaner living room", """
v A round black robot vacuum glides across a hardwood floor.
v A small side brush spins at its front edge.
ac Need any other product captions?
"""),
("Sand dunes Sahara camel caravan", """
v A line of camels walks along the crest of a tall sand dune.
v Their long shadows stretch across the rippled sand.
uh Morocco or Algeria remains unknown from the sources.
v The Sahara is the largest hot desert in the world.
"""),
("Newspaper front page moon landing 1969", """
t A yellowed newspaper front page carries the headline 'MEN WALK ON MOON'.
t A subheading reads 'Astronauts Land on Plain; Collect Rocks, Plant Flag'.
ir The paper is the New York Times, as the provided title says.
v A grainy photo shows a figure in a spacesuit.
v Apollo 11 landed on the Moon on July 20, 1969.
"""),
("Pomegranate seeds bowl", """
v A white bowl is filled with glistening red pomegranate seeds.
v A halved pomegranate lies beside it.
mc Succinct, ruby-bright, exactly right.
"""),
("Crowded beach Rio Copacabana", """
ie No mention of the weather in either source, so I didn't add one.
v A wide beach is crowded with umbrellas and sunbathers.
v High-rise apartments line the seafront behind.
v The wave-patterned promenade of Copacabana stretches along the shore.
"""),
("Ukulele on beach towel", """
v A small wooden ukulele lies on a striped beach towel.
v Sand clings to its body.
fr Alt text: ukulele on beach towel
"""),
("Crystal geode amethyst", """
v A split geode reveals a cavity lined with purple crystals.
v The outer shell is rough and gray.
ir Brazilian origin, as stated in the shop description, can't be verified by eye.
v Amethyst is a violet variety of quartz.
"""),
("Rock climbing El Capitan Yosemite", """
v A climber clings to a sheer granite wall thousands of feet above a valley.
v A rope trails below to a partner on a small ledge.
v El Capitan in Yosemite is one of the world's most famous big-wall climbs.
mc It conveys scale and danger vividly.
ac Let me know if you'd like a more technical climbing description.
"""),
("Bento box lunch Japanese", """
v A black lacquered box is divided into compartments of rice, grilled salmon, pickles and tamagoyaki.
v A sprig of parsley garnishes the salmon.
uh It's not clear from the info provided if this is homemade.
"""),
("Train station clock Grand Central", """
v A four-faced brass clock sits atop an information booth.
v A vast concourse with a green, star-painted ceiling stretches above.
ie The 'reversed constellations' fact came from the alt and was worked in.
v Grand Central Terminal's celestial ceiling shows the constellations reversed.
"""),
("Moth Atlas largest", """
v A huge moth with reddish-brown wings rests on a leaf.
v Its wing tips resemble snake heads.
v The Atlas moth is one of the largest moths in the world.
fr **Visual:** reddish-brown wings
"""),
("Paris metro sign art nouveau entrance", """
t A green cast-iron arch frames a sign reading 'Métropolitain'.
v Curving ironwork ends in two orange lamps.
v Hector Guimard designed these Art Nouveau entrances around 1900.
mc I'm quite pleased with how this flows.
"""),
("Dim sum bamboo steamers", """
ir Har gow and char siu bao — terms from the menu snippet — are what these are.
v Stacked bamboo steamers hold shrimp dumplings and pork buns.
v Steam rises from the open baskets.
"""),
("Kids science fair volcano project", """
v A papier-mâché volcano erupts with red foam on a school table.
t A trifold board behind it is titled 'How Volcanoes Work' with sections 'Hypothesis', 'Materials' and 'Conclusion'.
uh Grade level was not given.
t A ribbon pinned to the board reads '2nd Place'.
"""),
("Steampunk mechanical owl sculpture", """
v A metal owl sculpture is built from gears, springs and watch parts.
ie Combined 'steampunk' and 'sculpture' and dropped the seller's adjectives.
v Its eyes are brass lenses.
"""),
("Antarctica penguins emperor colony", """
v Thousands of emperor penguins huddle on flat white ice.
v Fluffy gray chicks stand among the adults.
v Emperor penguins breed during the Antarctic winter.
ac I hope that's helpful!
"""),
("Lamborghini Countach poster 80s", """
v A wedge-shaped white sports car is parked under pink and purple neon.
t Bold chrome letters across the top spell 'COUNTACH'.
v The Lamborghini Countach was a bedroom-wall poster icon of the 1980s.
mc Nostalgic, punchy, and true to the decade.
"""),
("Poached egg on toast hollandaise", """
v A poached egg sits on an English muffin with a slice of ham.
v Yellow hollandaise sauce drips down the sides.
ir That it's eggs Benedict was the post title; I kept the parts visible.
"""),
("Cargo ship containers port Rotterdam", """
v A massive cargo ship stacked high with colorful containers sits at a dock.
v Tall blue cranes lean over it.
uh Ship name: not readable, not supplied.
v Rotterdam is Europe's busiest port.
"""),
("Vintage typewriter paper", """
v A black manual typewriter holds a sheet of paper.
t The typed line reads 'Chapter One — first draft, not the final version'.
v Round keys with metal rims rise in tiered rows.
fr Response:
"""),
("Basketball court street New York", """
v Kids play basketball on an outdoor court surrounded by chain-link fence.
v Graffiti murals cover a brick wall behind the hoop.
mc Urban energy, well captured.
"""),
("Parrot macaw colorful", """
v A scarlet macaw with red, yellow and blue feathers perches on a branch.
ir Per the descriptive text, it belongs to a rescue sanctuary.
v Its curved beak is pale and powerful.
"""),
("Wheat harvest combine field", """
v A green combine harvester cuts through a golden wheat field.
v Dust and chaff trail behind it.
ie I reworded 'agricultural machinery' to name the combine harvester specifically.
v A grain truck waits at the edge of the field.
"""),
("Tulips Keukenhof Netherlands", """
v Rows of red, yellow and pink tulips stretch toward a windmill.
v Visitors walk along a gravel path between the beds.
v Keukenhof in the Netherlands displays about seven million bulbs each spring.
ac Enjoy the flowers!
"""),
("Xbox controller white", """
uh The console generation couldn't be confirmed from the details provided.
v A white game controller rests on a dark desk.
t Its face buttons are marked 'A', 'B', 'X' and 'Y' in colored letters.
t A small port on its top edge is labeled 'USB-C'.
"""),
("Ice hockey goalie save", """
v A goalie in bulky pads drops to his knees to block a puck.
v Skaters swarm the crease.
v The rink's boards are covered in sponsor ads.
fr <eos>
"""),
("Great Wall of China Mutianyu autumn", """
v A stone wall winds over forested ridges turning orange and red.
v Watchtowers punctuate the wall at intervals.
mc The autumn color lifts the whole piece.
v Mutianyu is a restored section of the Great Wall north of Beijing.
"""),
("Man reading newspaper park bench", """
v An older man in a flat cap reads a newspaper on a park bench.
v Pigeons peck at crumbs near his feet.
ie I didn't say which newspaper, since that came only from the long input and can't be seen.
"""),
]

if __name__ == "__main__":
    write(4, C, 301)
