# Hand-written captions for heldout_f.jsonl, part 4 (kind codes as in data1.py).
DATA = [
("Arabic calligraphy workshop", [
 ("v", "A hand holds a reed pen above paper covered in flowing black Arabic calligraphy."),
 ("v", "Ink pots and spare reed pens sit in a wooden tray."),
 ("ac", "Thanks for sharing such a lovely image!")]),
("Astronaut ISS cupola Earth view", [
 ("ie", "Wove in the station name and left the rest untouched."),
 ("v", "An astronaut floats inside the International Space Station's domed cupola with its seven windows."),
 ("v", "Earth's blue oceans and white clouds fill the windows below.")]),
("Rugby scoreboard Six Nations Ireland France", [
 ("ir", "Caption A called it the Six Nations; the scoreboard itself doesn't say so."),
 ("t", "A stadium screen shows \"IRELAND 38 – 17 FRANCE\" with \"FULL TIME\" underneath."),
 ("v", "Players in green shirts embrace in the foreground."),
 ("v", "Fans in the stands wave tricolour flags.")]),
("Lab rat maze experiment", [
 ("v", "A white rat stands at a junction in a grey plastic maze."),
 ("v", "An overhead camera and lamp are mounted above the maze."),
 ("uh", "I couldn't verify the experiment's purpose from what was given.")]),
("Chinese New Year lanterns Chinatown Singapore", [
 ("v", "Hundreds of red lanterns hang on strings over a street."),
 ("ir", "The city, Singapore, is named in the alt text only."),
 ("t", "A large banner reads \"新年快乐\" in gold."),
 ("v", "Shoppers crowd the stalls underneath.")]),
("Excavator demolition building", [
 ("v", "A yellow excavator with a hydraulic crusher bites into the concrete wall of a half-demolished building."),
 ("mc", "In one line: demolition in progress."),
 ("v", "Broken floors hang down, exposing twisted rebar."),
 ("v", "A water hose sprays onto the rubble to keep the dust down.")]),
("Instagram post screenshot coffee latte art", [
 ("t", "A screenshot of a social media post shows a latte with a heart-shaped pattern in a blue cup."),
 ("t", "The caption under the photo reads \"Monday fuel ☕ #latteart\"."),
 ("t", "Below it, a comment says \"Hope this helps you wake up lol\"."),
 ("v", "The like count shows 2,431.")]),
("Victorian mourning dress 1880s", [
 ("mc", "This is a refined caption focusing on the key visual elements."),
 ("v", "A black silk dress with a high collar and long sleeves is displayed on a mannequin."),
 ("v", "Black beads and lace trim the bodice."),
 ("v", "The skirt is gathered into a bustle at the back.")]),
("Hanoi train street", [
 ("v", "A train passes within arm's reach of houses on a narrow street in Hanoi."),
 ("v", "Residents stand pressed against their doorways as it goes by."),
 ("t", "A small café sign reads “Cà phê đường tàu”."),
 ("fr", "<|eot_id|>")]),
("Football tactics board", [
 ("t", "A magnetic tactics board shows a football pitch with red and blue magnets in a 4-3-3 formation."),
 ("t", "Arrows drawn in marker show runs behind the defence, and a note in the corner reads \"press high!\""),
 ("v", "A coach's hand is moving one of the magnets.")]),
("Drone shot rice terraces Bali Tegallalang", [
 ("v", "Curved green rice terraces step down a steep valley at Tegallalang in Bali."),
 ("ie", "I didn't repeat the village name, since it's already in the first sentence."),
 ("v", "Palm trees rise between the terraces.")]),
("Insulin pump medical device", [
 ("t", "A small grey insulin pump has a screen showing \"1.2 U/hr\"."),
 ("v", "Thin clear tubing coils from the pump to an infusion set."),
 ("ac", "Do you want me to remove the brand references too?")]),
("Handwritten lecture notes organic chemistry", [
 ("t", "A page of lined paper is filled with handwritten organic chemistry notes and hexagon ring drawings."),
 ("t", "A boxed heading reads \"Summary: SN1 vs SN2\"."),
 ("t", "Corrections in red pen cross out several of the arrows."),
 ("v", "A yellow highlighter lies across the top of the page.")]),
("Amsterdam canal houseboats", [
 ("uh", "Nothing was said about the season, though the trees are bare."),
 ("v", "Houseboats are moored along a canal lined with tall, narrow brick houses."),
 ("v", "Bicycles lean against the railings of a bridge."),
 ("v", "The water reflects the grey sky.")]),
("Video game inventory screen Skyrim", [
 ("t", "A game menu screen shows an inventory list with items such as \"Iron Sword\" and \"Potion of Minor Healing\"."),
 ("t", "A highlighted item displays its description: \"A simple blade, often favoured by guards.\""),
 ("v", "A 3D model of the sword rotates on the right side."),
 ("mc", "Great caption — it covers the UI and the game context well.")]),
("Bees honeycomb frame beekeeper", [
 ("v", "A beekeeper in a white veil lifts a wooden frame covered in bees."),
 ("v", "Golden capped honeycomb fills most of the frame."),
 ("ir", "(Location per the web text: a farm in Provence.)")]),
("Pharmacy sign Madrid", [
 ("ir", "The web text places it in Madrid, which the signage supports."),
 ("v", "A green neon cross glows above a pharmacy entrance on a Madrid street."),
 ("t", "White letters on the awning read \"Farmacia\"."),
 ("v", "A woman with shopping bags walks past.")]),
("Semiconductor wafer cleanroom", [
 ("ie", "Following the prompt, the caption starts with the main object."),
 ("v", "A technician in a full white bunny suit holds a shiny silicon wafer up under yellow light."),
 ("v", "The wafer reflects a rainbow pattern from its etched chips.")]),
("Horse race Kentucky Derby finish", [
 ("v", "Thoroughbreds thunder toward the finish line on a dirt track."),
 ("v", "The leading jockey wears pink and white silks."),
 ("v", "The grandstand behind is packed with spectators in hats."),
 ("ac", "Cheers, and good luck with the project!")]),
("Slide presentation quarterly results", [
 ("t", "A presentation slide titled \"Q3 Results — Summary\" shows a bar chart of revenue by region."),
 ("t", "A footnote reads \"Source: internal finance data\"."),
 ("v", "The slide has a white background with a navy header strip.")]),
("Orangutan Borneo rainforest", [
 ("v", "An orangutan with long reddish hair hangs from a vine in a dense rainforest."),
 ("uh", "(Whether it's Bornean or Sumatran can't be told from the inputs.)"),
 ("v", "A baby clings to its chest.")]),
("Traffic camera highway junction merge", [
 ("t", "A highway camera view shows two lanes merging into one at a construction zone."),
 ("t", "An overhead sign reads \"MERGE LEFT\"."),
 ("v", "Orange barrels line the closed lane."),
 ("ie", "The merge detail was combined from both inputs without repetition.")]),
("Bulgarian Rila Monastery", [
 ("v", "Striped arches in red and white surround a courtyard at the Rila Monastery."),
 ("v", "Colourful frescoes cover the ceiling of the porch."),
 ("t", "A small plaque reads \"Рилски манастир\"."),
 ("ac", "I hope this suits your needs.")]),
("retro arcade high score screen", [
 ("t", "An arcade screen shows a high-score table with names like \"AAA\" and \"JEN\"."),
 ("t", "Flashing text at the top reads \"ENTER YOUR INITIALS\"."),
 ("v", "The pixels glow in red, yellow and cyan.")]),
("Norwegian salmon fish farm aerial", [
 ("fr", "FINAL CAPTION"),
 ("v", "Circular fish pens float in a dark fjord, seen from above."),
 ("v", "Walkways connect the pens to a small barge."),
 ("v", "Steep green mountains rise from the water's edge.")]),
("ChatGPT screenshot funny", [
 ("t", "A screenshot shows a chat-app conversation with grey and blue speech bubbles and the contact name \"Assistant\" at the top."),
 ("t", "The blue bubble near the top says \"write me a poem about my cat pls\"."),
 ("t", "The grey bubble below it reads \"Sure! Here's a poem about your cat.\""),
 ("ir", "The alt text describes this as a funny ChatGPT screenshot.")]),
("Kenyan tea plantation pickers", [
 ("v", "Women with baskets on their backs pick tea on a steep green hillside."),
 ("v", "Neat rows of tea bushes run across the slope."),
 ("mc", "A concise yet rich description."),
 ("v", "Mist hangs over the hills behind them.")]),
("Sushi platter omakase", [
 ("v", "Twelve pieces of nigiri are arranged on a long wooden board."),
 ("fr", "<br>"),
 ("v", "Tuna, salmon, sea urchin and shrimp can be seen."),
 ("uh", "[Restaurant not specified in the provided info.]")]),
("Tractor restoration Fordson", [
 ("ac", "Hi there!"),
 ("v", "A rusty grey tractor with iron-spoked wheels sits in a workshop."),
 ("v", "Its engine cover is off, and parts lie on a tarp beside it.")]),
("New York subway map", [
 ("fr", "```text"),
 ("t", "A subway map shows coloured lines crossing Manhattan, Brooklyn and Queens."),
 ("t", "A note at the bottom of the map reads \"Late-night service differs; see posted notices.\""),
 ("v", "The map is mounted behind scratched plastic on a tiled wall."),
 ("fr", "```")]),
("Bonsai juniper 40 years", [
 ("v", "A twisted juniper bonsai grows from a shallow brown pot."),
 ("ir", "According to the alt text, the tree is forty years old."),
 ("v", "Its foliage is trimmed into flat, layered pads.")]),
("Antarctic research station", [
 ("v", "Red and green modular buildings stand on stilts on an ice plain."),
 ("v", "A snowcat is parked nearby under a pale sky."),
 ("fr", "[END OF OUTPUT]")]),
("Wedding cake five tier", [
 ("ie", "Avoided repeating \"white\" three times."),
 ("v", "A five-tier white wedding cake is decorated with cascading sugar roses."),
 ("v", "It stands on a silver stand beside a window.")]),
("smartphone teardown iFixit", [
 ("t", "A disassembled smartphone lies on a blue mat with its battery, screen and logic board separated."),
 ("t", "Small labels beside each part read \"Battery\", \"Display\" and \"Taptic Engine\", and a sticky note says \"reassemble in reverse order\"."),
 ("v", "A spudger and a suction cup lie at the edge of the mat.")]),
("Bird's eye view of Manhattan at night", [
 ("v", "Manhattan glows with grids of lights seen from high above at night."),
 ("v", "Central Park is a dark rectangle in the middle."),
 ("mc", "This rewrite adds clarity and context.")]),
("Flamenco dancer Seville", [
 ("v", "A flamenco dancer in a red ruffled dress twirls on a wooden stage in Seville."),
 ("ie", "I corrected \"Sevilla\" to \"Seville\" to match English usage."),
 ("v", "A guitarist plays behind her in dim light.")]),
("Chernobyl Pripyat ferris wheel", [
 ("v", "A rusted yellow ferris wheel stands in an overgrown park in Pripyat."),
 ("v", "Trees and shrubs have grown up around the gondolas."),
 ("uh", "No date came with the photo.")]),
("Ukulele product photo", [
 ("ac", "Sure!"),
 ("ac", "Here's a cleaner caption:"),
 ("v", "A small wooden ukulele with a light spruce top rests against a white backdrop."),
 ("v", "Its four nylon strings run over a rosewood fingerboard.")]),
("Printable worksheet annotation practice", [
 ("t", "A printed worksheet titled \"Annotation Practice\" shows a short poem with wide margins."),
 ("t", "Instructions at the top read \"Underline key words and write a note beside each stanza.\""),
 ("t", "A pencil annotation in the margin says \"metaphor?\"")]),
("Volcano eruption Iceland 2021 Fagradalsfjall", [
 ("fr", "Response:"),
 ("v", "Bright orange lava fountains from a small cone and flows down a dark slope at Fagradalsfjall."),
 ("v", "A crowd of hikers watches from a ridge in the foreground."),
 ("v", "Steam rises from the cooling edges of the flow.")]),
("Tehran bazaar carpet shop", [
 ("v", "Stacks of hand-knotted carpets in deep red and blue fill a small shop."),
 ("ac", "Apologies — I can't reliably translate the Persian sign for you, so I've only described it."),
 ("v", "The sign above the door is written in Persian script, white on green."),
 ("v", "A man sits cross-legged on a pile of rugs, drinking tea.")]),
("Male lion Serengeti", [
 ("ir", "The annotation identifies this as a male lion in the Serengeti."),
 ("v", "A lion with a thick dark mane lies in tall golden grass."),
 ("v", "It gazes to the left, eyes half closed."),
 ("v", "A flat-topped acacia stands on the horizon.")]),
("Bangkok tuk tuk Khao San Road", [
 ("v", "A bright pink tuk-tuk waits at the kerb on a crowded street in Bangkok."),
 ("t", "Signs above the shops read \"ร้านนวด\" and \"Massage 200 B\"."),
 ("ie", "The two captions overlapped heavily, so I kept only one mention of the tuk-tuk."),
 ("v", "Backpackers with large rucksacks walk past.")]),
("Mechanical watch movement macro", [
 ("v", "A macro shot shows the gears and jewels of an open mechanical watch movement."),
 ("v", "Tiny red rubies sit in the centres of brass wheels."),
 ("v", "Blued screws and a balance wheel stand out against the gold-coloured plates."),
 ("ac", "Ping me if you want a shorter one for alt text.")]),
("sunset", [
 ("v", "The sun sets behind a row of palm trees on a flat beach."),
 ("v", "The sky is streaked with orange and purple.")]),
("hammer drill Bosch professional", [
 ("ir", "Per the product title, this is a Bosch GBH 2-26 hammer drill."),
 ("v", "The blue drill has a black side handle and a metal depth rod.")]),
("Kowloon Walled City historical photo 1989", [
 ("v", "A dense block of tall, mismatched apartment buildings rises in a black-and-white photograph of Kowloon Walled City."),
 ("v", "Hundreds of small windows, many with laundry hanging from them, cover the façades."),
 ("v", "Rooftop antennas form a tangled forest across the top of the block."),
 ("ie", "I have kept the year 1989 as given."),
 ("v", "A passenger jet flies low overhead, heading for the old Kai Tak airport."),
 ("v", "In the foreground, a few low shops line a street."),
 ("mc", "Altogether, the caption conveys both the density and the history of the place.")]),
("Operating theatre 1920s historical", [
 ("v", "A sepia photograph shows surgeons in white gowns and cloth masks gathered around an operating table."),
 ("v", "A large round lamp hangs above them."),
 ("v", "Glass cabinets of instruments stand against the tiled wall."),
 ("v", "A nurse in a starched cap holds a tray."),
 ("t", "A handwritten note along the bottom margin reads \"Theatre B, 1924\"."),
 ("v", "The patient is covered in white sheets.")]),
("Formula E car technical drawing Gen3", [
 ("t", "A technical drawing shows the side profile of an electric race car, with a revision note reading \"Rev C: corrected wing height\" in the margin."),
 ("t", "Callout annotations point to the battery pack, the halo and the rear wing."),
 ("t", "A title block in the lower right reads \"Gen3 Chassis — Rev C\"."),
 ("ir", "The season is only from the blurb that came with the image."),
 ("v", "The lines are drawn in black on a white sheet.")]),
("bicycle repair shop Amsterdam", [
 ("fr", "**Fused caption:**"),
 ("v", "- A mechanic in a grey apron adjusts the brakes of a black city bike on a repair stand."),
 ("v", "- Dozens of bicycles are parked outside the shop window."),
 ("v", "- Tools hang on a pegboard behind him.")]),
("Steam locomotive Flying Scotsman 4472 at York", [
 ("v", "A green steam locomotive with the number 4472 on its cab stands at a station platform."),
 ("v", "White steam drifts from its chimney and curls around the wheels."),
 ("uh", "The alt text says York, but the station sign is out of frame, so that part stays unconfirmed."),
 ("v", "Enthusiasts with cameras crowd the platform edge."),
 ("v", "The locomotive's brass fittings are polished to a shine."),
 ("v", "A maroon carriage is coupled behind the tender.")]),
("Nurse hospital IV drip stock photo", [
 ("v", "A nurse in blue scrubs adjusts an IV drip bag hanging from a metal pole."),
 ("v", "The nurse is wearing blue scrubs and a white face mask."),
 ("v", "The IV bag is clear and hangs from a metal pole next to a bed."),
 ("ie", "The image shows a nurse, and I have described the nurse the way the alt text said."),
 ("v", "There is a window behind the bed with white blinds."),
 ("v", "The room is bright and clean."),
 ("ac", "I hope you like this caption very much.")]),
("Formula 1 timing screen Monaco GP qualifying", [
 ("t", "A timing screen lists driver codes such as \"VER\", \"LEC\" and \"HAM\" beside lap times."),
 ("t", "The top row is highlighted in purple, marking the fastest lap."),
 ("ir", "Monaco qualifying, as the title of the image says."),
 ("t", "A ticker at the bottom reads \"Steward note: lap time deleted for track limits\"."),
 ("v", "The screen is mounted above a pit-wall desk cluttered with headsets.")]),
]
