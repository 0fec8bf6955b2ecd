"""Part 3: hand-written captions (woven input references, template residue of many families)."""
from common import write

C = [
("Brooklyn Bridge pedestrian walkway dawn", """
ir New Sentence: The wooden walkway of the Brooklyn Bridge stretches toward Manhattan.
v Steel cables fan out from the stone towers overhead.
v A lone cyclist pedals through the pink dawn light.
fr <|im_end|>
"""),
("Samsung Galaxy S23 Ultra phantom black 256GB", """
v A black smartphone lies face-up on a marble surface.
v Four camera lenses are arranged in a vertical column on its back.
ir The 256 GB storage — a figure only the SKU line gives — can't be seen, of course.
t A stylus labeled 'S Pen' pokes out from the bottom edge.
mc Product-page ready, and it doesn't oversell.
ac Want a shorter version for a thumbnail?
"""),
("Pompeii plaster cast victim", """
v A pale plaster figure lies curled on its side inside a glass case.
v Its arms are drawn up to shield its face.
v The casts were made by pouring plaster into voids left by bodies in the ash of Vesuvius.
ir Caption B adds that the figure was found in the Garden of the Fugitives.
uh That find spot couldn't be checked against anything in the picture.
"""),
("screenshot twitter tweet viral", """
t A screenshot shows a tweet from an account with a blue check mark.
t The text reads 'just merged my two cats into one very large cat (they are cuddling)'.
t Below it the counters show '12.4K Retweets' and '98K Likes'.
v A small photo of two tabby cats curled together is attached.
mc Faithful to the screenshot while remaining readable — a solid result.
"""),
("Aerial photo of Amazon rainforest river meander", """
v A brown river loops in tight S-curves through dense green forest.
v Crescent-shaped oxbow lakes sit beside the main channel.
v The Amazon basin holds the largest rainforest on Earth.
ie Two overlapping remarks about 'lush greenery' were collapsed into one.
fr ---
"""),
("Electric guitar Fender Stratocaster sunburst", """
fr <s>[INST] Write one caption from these. [/INST]
v A sunburst electric guitar with a white pickguard leans against an amp.
v Three single-coil pickups line its body.
t The headstock decal reads 'Fender Stratocaster'.
fr </s>
"""),
("Kimchi jar fermentation Korean", """
v A glass jar is packed with red, chili-coated napa cabbage.
v Bubbles cling to the inside of the glass.
ir Kimchi — as both descriptions call it — is a staple of Korean cooking.
ie Fermentation details weren't invented; I only kept what the alt line said.
"""),
("Blueprint floor plan two bedroom apartment", """
uh Whether this is the final layout, the provided content leaves open.
t A floor plan shows rooms labeled 'Bedroom 1', 'Bedroom 2', 'Kitchen' and 'Living'.
t Dimensions such as '12' x 14'' are written inside each room.
t A title block in the corner reads 'Unit 4B — Revision C'.
v A north arrow points toward the top of the sheet.
"""),
("Northern cardinal bird on snowy branch", """
v A bright red bird perches on a branch dusted with snow.
v Its black face mask surrounds an orange beak.
v The northern cardinal is a year-round resident across the eastern United States.
mc It reads cleanly, with the color carrying the image.
"""),
("Women's marathon finish line Boston", """
v A runner in a singlet breaks a tape at the finish line with arms raised.
t A blue and yellow banner overhead reads 'Boston Marathon — Finish'.
v Race officials in yellow jackets stand to the side.
ir The runner's name appears in the photo's tags but isn't shown, so she stays unnamed.
ac If you have the winner's name, send it over and I'll add it.
"""),
("Stained glass window Sainte-Chapelle Paris", """
v Tall stained-glass windows glow in deep blues and reds.
v Slender stone columns separate the panels.
v Sainte-Chapelle in Paris holds some of the finest 13th-century stained glass in the world.
ie I avoided repeating 'Paris' in each sentence the way the draft did.
"""),
("Retro video game console Nintendo NES controller", """
v A gray rectangular game console sits beside a rectangular controller with a cross-shaped pad.
t The console's front reads 'Nintendo Entertainment System'.
t The controller has two red buttons labeled 'B' and 'A' and two black ones marked 'SELECT' and 'START'.
fr ### Answer
v The NES launched in North America in 1985.
"""),
("Dew drops on spider web", """
v Tiny water droplets bead along the threads of a spider web.
mc What a beautiful, delicate description to end up with!
v Each drop reflects the green garden behind it.
"""),
("Ultrasound 12 week pregnancy scan", """
v A black-and-white ultrasound image shows a small fetus in profile.
t White text in the corner reads 'GA 12w3d'.
v The head, a small nose and a curled hand are visible.
uh I can't confirm anything medical from the supplied material.
ac Congratulations, by the way!
"""),
("Tower Bridge London raised bascules", """
v A Victorian bridge with two stone towers has its road sections raised.
v A tall ship passes beneath.
v Tower Bridge, completed in 1894, still opens for river traffic.
ir Sentence 2: The alt text mentions the bridge being raised for a tall ship.
"""),
("Keto avocado toast with egg", """
v A slice of seeded bread is topped with mashed avocado and a fried egg.
v Chili flakes and black pepper are scattered over the yolk.
ie Because keto toast wouldn't normally use regular bread, I omitted the 'keto' label.
mc That keeps things honest.
"""),
("Lunar eclipse blood moon timelapse", """
v A sequence of moons arcs across a dark sky, turning from white to deep red.
v The middle moons glow a coppery color.
v During a total lunar eclipse, sunlight bent through Earth's atmosphere tints the moon red.
fr [Caption ends]
"""),
("Apple iMac 24 inch M1 blue", """
v A thin all-in-one computer with a blue back stands on a white desk.
v A matching blue keyboard and mouse sit in front.
ir The 24-inch size is the listing's claim; the screen simply looks wide.
t The screen shows a settings window titled 'About This Mac' with 'Chip: Apple M1'.
"""),
("Sushi platter omakase nigiri", """
v Pieces of nigiri are lined up on a wooden board.
v Slices of tuna, salmon and yellowtail rest on small mounds of rice.
v A dab of wasabi and pickled ginger sit at one end.
ac Bon appétit — and feel free to ask for more captions like this.
"""),
("Grand Canyon South Rim sunset", """
v Layered red and orange cliffs drop into a deep canyon.
v Shadows fill the lower depths as the sun sets.
ir The South Rim vantage point, noted in the page title, is where most visitors go.
mc A grand landscape rendered with restraint.
"""),
("chemistry lab glassware experiment", """
v Glass beakers and flasks filled with blue, green and orange liquids stand on a lab bench.
t Masking-tape labels on the flasks read 'Sample 1', 'Sample 2' and 'Control'.
uh The experiment being run isn't known from the given text.
v A Bunsen burner flickers beside a test-tube rack.
"""),
("Soccer stadium Camp Nou aerial", """
v A huge oval stadium is packed with fans in red and blue.
v The green pitch glows under floodlights.
ie I swapped the alt text's 'Nou Camp' to the official 'Camp Nou'.
v Camp Nou in Barcelona is Europe's largest football stadium.
"""),
("Sled dogs Iditarod Alaska", """
v A team of huskies pulls a sled across a snowy trail.
v The musher stands on the runners in a fur-trimmed parka.
t A bib on the musher reads '23'.
v The Iditarod covers nearly 1,000 miles across Alaska.
fr END OF CAPTION
"""),
("Oil painting still life fruit Dutch Golden Age", """
v A dark background frames a table laden with grapes, a peeled lemon and a silver goblet.
v Light glints off the goblet's rim.
v Dutch Golden Age still lifes often included a peeled lemon as a symbol of life's bitterness.
ir As the wall label text indicates, it belongs to the Dutch Golden Age.
t A brass plaque on the frame reads 'Still Life with Lemon'.
"""),
("Washing machine control panel", """
t A washing machine's panel shows a dial with settings like 'Cotton', 'Synthetics' and 'Quick 15'.
t A small display reads '1:05' next to a 'Start/Pause' button.
t A sticker above the dial says 'Do not exceed max load'.
v A blue plastic laundry basket sits on top.
"""),
("Old car rust Cuba Havana street", """
v A faded turquoise 1950s car is parked on a narrow street.
v Pastel buildings with wrought-iron balconies line both sides.
v Havana's streets are known for vintage American cars kept running for decades.
uh Make and model: no help from the inputs there.
ac Share the make with me and I'll slot it in.
"""),
("Mountain gorilla Rwanda silverback", """
v A massive silverback gorilla sits among thick green vegetation.
v Its silver-gray back contrasts with its black arms.
v Mountain gorillas live in the forests of Rwanda, Uganda and Congo.
mc Respectful, vivid and factually grounded.
"""),
("Infographic 'Top 10 programming languages 2023'", """
ie Ranking details came from the visible chart; the alt's title confirmed the year.
t A vertical bar chart titled 'Top 10 Programming Languages 2023' lists Python at the top.
t Bars for JavaScript, Java and C++ follow in descending order.
t A footnote reads 'Source: developer survey'.
v Each bar is a different shade of blue.
"""),
("Monarch butterfly migration Mexico", """
v Thousands of orange-and-black butterflies cluster on fir branches.
v Their wings cover the trees like leaves.
v Monarchs overwinter in the mountains of central Mexico.
fr User: Thanks!
"""),
("Bedroom studio music production setup", """
v A desk holds two speakers, a MIDI keyboard and a wide monitor showing a music program.
t The screen displays track names like 'Vocals', 'Bass' and 'Drums — merged'.
mc Nice balance of gear detail and atmosphere, I'd say.
v Foam panels cover the wall behind the desk.
"""),
("Anatomy illustration human heart", """
t A detailed drawing of a heart is labeled 'Aorta', 'Left ventricle', 'Right atrium' and 'Pulmonary artery'.
v Red and blue vessels branch from the top.
ir Anatomical terms follow those used in the accompanying text.
uh I didn't have enough context to say what textbook it came from.
"""),
("Lake Bled island church Slovenia", """
ie Integrated the pletna boat fact from the alt text.
v A small island with a white church and bell tower sits in a green lake.
v Forested mountains rise behind it.
v Lake Bled in Slovenia is reached by traditional wooden pletna boats.
"""),
("Cyberpunk digital art neon city rain", """
v A rain-soaked street glows with pink and blue neon signs.
t One sign flickers with the word 'NOODLES' in katakana and English.
v A figure in a hooded coat walks under a transparent umbrella.
fr Image Description (merged):
"""),
("Gym deadlift powerlifting competition", """
v A lifter in a singlet grips a loaded barbell at knee height.
v His face is red with strain.
t Plates on the bar are marked '25 KG' in red.
ac Good luck with your dataset!
"""),
("Garlic bread baking tray", """
v Halved loaves of bread are covered in butter, garlic and chopped parsley.
v Edges are crisp and golden.
mc So there you have it: a concise and appetizing account.
"""),
("Child's drawing crayon family house sun", """
ir (Age six, according to the caption text.)
v A crayon drawing shows four stick figures in front of a square house.
v A yellow sun with long rays sits in the corner.
t Wobbly letters along the bottom spell 'MY FAMLY'.
"""),
("Sheep herding Scottish highlands border collie", """
v A black-and-white dog crouches in heather, watching a flock of sheep.
v Misty hills rise behind.
uh Where exactly in the Highlands is not something the two texts reveal.
v Border collies have been bred for herding sheep in Scotland for centuries.
ie I tied it all together without repeating 'Scottish' three times.
"""),
("Chandelier crystal ballroom", """
v A crystal chandelier hangs from a gilded ceiling.
v Light scatters into tiny rainbows on the walls.
fr Human: Please describe.
fr Assistant:
"""),
("Golden Temple Amritsar reflection", """
v A gold-covered temple sits in the middle of a large pool.
v Pilgrims walk along the white marble walkway around it.
v The Harmandir Sahib in Amritsar is the holiest site in Sikhism.
mc Accurate and reverent; the additions feel natural.
"""),
("Motherboard close-up CPU socket", """
v A green circuit board is packed with capacitors and slots.
v A square CPU socket with a metal retention arm sits in the center.
t Tiny white printing near the socket reads 'CPU_FAN' and 'ATX 12V'.
t A connector at the back is labeled 'AUDIO INPUT'.
ir Its chipset, X570 per the tags, isn't readable in the shot.
"""),
("Ballet dancer pointe shoes", """
v A dancer in a white tutu balances on the tips of her toes.
v Her arms curve above her head.
v Satin pointe shoes are tied with pink ribbons around her ankles.
ac Hope that's what you were looking for.
"""),
("Vintage 1960s kitchen advertisement", """
t A magazine ad shows a smiling woman beside a turquoise refrigerator.
t Large text reads 'The Kitchen of Tomorrow — Today!'.
ie The decade was inferred from the alt text and kept as given.
t A small box at the bottom says 'See your dealer for details'.
v The colors are faded and the paper is slightly yellowed.
"""),
("Avalanche warning sign ski resort", """
t A yellow diamond sign shows a figure being swept by snow.
t Text beneath reads 'AVALANCHE DANGER — Do not leave marked runs'.
v Deep snow drifts around the base of the pole.
uh Which resort, I couldn't verify; the inputs just say 'ski resort'.
"""),
("Pasta carbonara plate", """
v A twirl of spaghetti is coated in a glossy yellow sauce with crisp pieces of guanciale.
v Cracked black pepper and grated cheese top the mound.
ir Guanciale rather than bacon — a detail taken from the recipe blurb.
mc Appetizing yet precise.
"""),
("Bamboo forest Arashiyama Kyoto", """
v Tall green bamboo stalks rise on both sides of a narrow path.
v Sunlight filters through the canopy in thin beams.
v The Arashiyama bamboo grove lies on the western edge of Kyoto.
fr Final answer:
"""),
("Mars rover Perseverance selfie", """
v A six-wheeled rover stands on reddish rocky ground.
v Its mast camera looks toward the viewer.
ie I combined the rover name and the crater from the alt text into one sentence.
v NASA's Perseverance rover landed in Jezero Crater in February 2021.
"""),
("Wet market fish stall Hong Kong", """
v Silver fish lie on beds of ice in plastic trays.
v A vendor in rubber boots scoops water over them.
t Handwritten price cards read '$48/斤' in red marker.
uh I'm unable to confirm which market this is from the details given.
"""),
("Wedding dress lace back detail", """
v A white gown with a deep V back is covered in floral lace.
v A row of tiny covered buttons runs down the spine.
mc Elegant — the prose mirrors the dress.
ac Would you like the bride's name included?
"""),
("Tornado supercell Oklahoma plains", """
v A dark funnel cloud touches down on flat farmland.
v A rotating wall of cloud looms above it.
ir The date in the EXIF-style note — May 2013 — is not confirmed by the image.
v Oklahoma lies in Tornado Alley, where supercells frequently form in spring.
"""),
("Candles birthday cake blowing out", """
v A girl with braids leans over a cake to blow out seven candles.
v Other children lean in around the table.
t Blue frosting on the cake spells 'Happy 7th Birthday, Zoe'.
fr [END]
"""),
("Lab mouse research white", """
v A white mouse with pink eyes sits in a gloved hand.
v Bedding shavings are visible in a cage below.
ie To stay neutral, I described the animal only and did not speculate about the research.
"""),
("Fjord cruise ship Geiranger Norway", """
v A large white cruise ship sits in a narrow fjord between steep green cliffs.
v A waterfall spills down one cliff face.
v The Geirangerfjord is a UNESCO World Heritage Site.
mc A neat blend of scenery and context.
"""),
("Pie chart market share smartphone OS", """
t A pie chart shows two large slices labeled 'Android 71%' and 'iOS 28%'.
t A thin sliver is marked 'Other 1%'.
t The title at the top reads 'Mobile OS Market Share'.
ir Nothing in the accompanying description contradicts the chart.
"""),
("Toddler in rain boots jumping puddle", """
v A toddler in yellow rain boots jumps into a puddle.
v Water splashes up around her legs.
v Her red raincoat's hood has slipped back.
ac Aww, such a cute photo — hope the caption works!
"""),
("Ancient library Trinity College Dublin Long Room", """
v A long wooden hall is lined with two stories of bookshelves.
v Marble busts stand at the end of each bookcase.
v The Long Room of Trinity College Dublin holds some 200,000 old books.
uh The book count is from the alt description and may be out of date.
"""),
("Gas station at night Americana", """
v A lone gas station glows under a fluorescent canopy on an empty highway.
t The price sign shows 'Regular 3.49' in red digits.
v Moths swarm around the lights.
mc Cinematic mood, precisely worded — I'm happy with it.
"""),
("Prayer flags Himalaya Everest base camp", """
v Strings of colorful prayer flags flutter over a rocky ridge.
ir Everest Base Camp is where the alt says this was taken.
v Snowy peaks rise in the background.
"""),
("Denim jeans folded stack", """
v A stack of folded jeans in various washes sits on a wooden table.
ie I left out the brand name that only appeared in the URL slug.
t A leather patch on the top pair reads 'Selvedge — Original Fit'.
"""),
("Frozen waterfall ice climbers", """
v Two climbers in red jackets scale a frozen waterfall with ice axes.
v Blue ice columns hang around them.
uh No location info came with the photo.
ac Send me the location if you have it.
"""),
("Mosque Hagia Sophia interior dome", """
v A vast dome floats above a space lit by rows of small windows.
v Large round calligraphy panels hang on the walls.
v Hagia Sophia in Istanbul was built as a cathedral in 537.
fr <|END_OF_TURN_TOKEN|>
"""),
("Poster concert gig indie band", """
t A screen-printed poster reads 'The Velvet Fog — Live at The Roxy — Oct 14'.
t Smaller text at the bottom says 'Doors 8PM / All Ages'.
mc Includes all the key poster info without reading like a transcript.
v The design shows a pink moon above a black skyline.
"""),
("Farmers market peaches basket", """
v Wooden baskets overflow with fuzzy orange peaches.
ir Local to Georgia, says the alt, but no sign names the state.
t A chalkboard sign reads 'Local Peaches $4/lb'.
"""),
("Factory chimney smoke pollution", """
v Thick gray smoke billows from tall chimneys.
v The sky is hazy and brown.
ie I didn't keep 'pollution' as a judgment, just described the smoke.
"""),
("Man in wheelchair basketball Paralympics", """
v An athlete in a sports wheelchair lifts a basketball toward the hoop.
v Opponents in wheelchairs close in around him.
v Wheelchair basketball has been a Paralympic sport since 1960.
mc Inclusive wording, accurate facts.
"""),
("Galaxy smartwatch face fitness tracker", """
t A round smartwatch face shows '8,432 steps' and a heart icon with '72 bpm'.
t A ring around the edge is labeled 'Move'.
v The watch has a black silicone strap.
ac Need a version for alt text too?
"""),
("Temple ruins Angkor Wat tree roots", """
v Giant tree roots twist over crumbling stone walls.
v Moss covers the carved blocks.
ir Although the alt said Angkor Wat, the scene matches Ta Prohm, so that name is used.
v The tree-strangled ruins are at Ta Prohm, part of the Angkor complex.
"""),
("Hospital corridor empty night", """
v A long, dim hospital corridor stretches away under flickering lights.
v An empty gurney stands against the wall.
t A sign overhead points to 'Radiology' and 'Emergency'.
fr Caption A:
"""),
("Dachshund in sweater", """
v A dachshund in a red knit sweater stands on a snowy path.
v Its ears flap in the wind.
mc Short, sweet and complete.
"""),
("Colorful houses Burano Venice", """
v A canal is lined with houses painted in pink, yellow, green and blue.
v Small boats are tied up along the water.
ie The lace-making fact came from the second input and was slotted in at the end.
v Burano, near Venice, is famous for its brightly painted houses and lace-making.
"""),
("Wildfire firefighter hose", """
v A firefighter in yellow gear sprays water at flames on a hillside.
uh Which fire this was, I couldn't find in what I was given.
v Orange light and smoke fill the air.
"""),
]

if __name__ == "__main__":
    write(3, C, 201)
