from common import write_part

C = [
("Polaroid Now instant camera", [
 ("IR", "Going off the product name given, this is a Polaroid Now."),
 ("V", "A boxy white instant camera with a rainbow stripe sits on a pastel desk."),
 ("T", "A freshly ejected photo shows a blank gray square that has not developed yet."),
 ("V", "Two developed prints lean against the camera."),
 ("V", "A small succulent in a terracotta pot sits nearby."),
]),
("Quebec City Chateau Frontenac winter", [
 ("FR", "<caption>"),
 ("V", "A copper-roofed castle-like hotel towers over snowy rooftops."),
 ("T", "A street sign in French reads \"Rue du Petit-Champlain\"."),
 ("V", "The Château Frontenac opened in 1893 and overlooks the Saint Lawrence River."),
 ("FR", "</caption>"),
]),
("two highways merge overpass", [
 ("V", "Two highways merge beneath a concrete overpass."),
 ("T", "A sign reads \"Merge Left\" above the combined lanes."),
 ("V", "Trucks and cars slow as the lanes narrow."),
 ("IR", "Whatever the original text meant by \"rush hour\", the traffic here is light."),
 ("V", "Sound barriers line both sides of the road."),
]),
("audio interface rear panel", [
 ("V", "The back panel of a red audio interface is shown close up."),
 ("T", "Ports are labelled \"Line Input 3\", \"Line Input 4\" and \"USB\"."),
 ("T", "A small power input port sits beside a Kensington lock slot."),
 ("AC", "Should you need the front panel too, just send it over."),
]),
("movie title card vintage film", [
 ("AC", "Here's my attempt at it."),
 ("V", "A black-and-white frame shows a title card in ornate white lettering."),
 ("T", "The card reads \"The End\" framed by art deco flourishes."),
 ("V", "Film grain and a scratch run down the left side of the frame."),
]),
("museum label Rosetta Stone", [
 ("V", "A dark granodiorite slab covered in three bands of inscriptions stands in a glass case."),
 ("T", "A museum label beside it gives the title, date and \"Provided by the British Museum\" credit line."),
 ("V", "The Rosetta Stone carries the same decree in hieroglyphic, Demotic and ancient Greek."),
 ("UH", "The inputs are silent about when the photo was taken."),
 ("V", "Visitors crowd around the case with cameras."),
]),
("seafood paella pan", [
 ("V", "A wide shallow pan holds saffron-yellow rice studded with mussels, prawns and squid."),
 ("IE", "To keep it readable, the list of ingredients was trimmed to the main ones."),
 ("V", "Lemon wedges rest on the edge of the pan."),
 ("V", "Paella originated in the Valencia region of Spain."),
]),
("marathon map route", [
 ("T", "A course map traces a marathon route in a bold red line through a city grid."),
 ("T", "Mile markers from 1 to 26 appear as small white circles."),
 ("T", "A note in the corner reads \"Water stations every 2 miles\"."),
 ("FR", "Final version below:"),
 ("V", "The finish line is marked with a checkered flag icon in a park."),
]),
("earthquake damage building", [
 ("V", "A collapsed concrete building lies in a heap of broken slabs and twisted rebar."),
 ("MC", "Tastefully, this caption avoids sensationalism."),
 ("V", "Rescue workers in orange helmets search through the rubble."),
 ("V", "A bulldozer waits at the edge of the site."),
]),
("flower shop storefront Amsterdam tulips", [
 ("V", "Buckets of tulips in red, yellow and purple crowd the sidewalk outside a flower shop."),
 ("T", "The shopfront's painted sign reads \"Bloemen\" in gold letters."),
 ("V", "Bicycles lean against the canal railing opposite."),
 ("FR", "<!-- end -->"),
]),
("vaccination card", [
 ("T", "A printed vaccination record card lists vaccine names in a column."),
 ("T", "Fields labelled \"Date\", \"Lot number\" and \"Provider\" are filled in by hand."),
 ("IR", "The web text's mention of a second dose matches the second row of the card."),
 ("V", "The card rests on a wooden table beside a pen."),
]),
("drone photo soccer field community", [
 ("V", "A drone photo shows a small dirt soccer field surrounded by tin-roofed houses."),
 ("V", "Children's shadows stretch long across the pitch."),
 ("AC", "Thanks for sharing this lovely image!"),
 ("V", "Palm trees line one edge of the field."),
]),
("snow plow clearing road", [
 ("V", "An orange snow plow pushes a wave of snow off a mountain road."),
 ("V", "Its flashing amber light glows through the falling snow."),
 ("UH", "I have nothing to go on regarding the road's name."),
]),
("book cover novel title author", [
 ("T", "A paperback cover shows the title \"The Source\" above a painting of desert ruins."),
 ("T", "The author's name, \"James A. Michener\", runs along the bottom in gold."),
 ("V", "The corners of the cover are worn and slightly curled."),
 ("IE", "Retained the spelling of the author's name from the cover, not from the alt text."),
]),
("web form screenshot upload photo", [
 ("T", "A screenshot shows a web upload form with empty fields labelled \"Title\", \"Source\" and \"Description\"."),
 ("T", "A gray placeholder in the description box reads \"Add details about your photo\"."),
 ("T", "A footer in small type reads \"Version 2.1 — Terms apply\"."),
 ("V", "A blue \"Upload\" button sits at the bottom right."),
]),
("newspaper TV listings page", [
 ("T", "A folded newspaper page shows the evening TV listings in narrow columns."),
 ("T", "Each listing gives a channel, a time and a short note such as \"Original drama, new episode\"."),
 ("V", "A pair of reading glasses and a pencil lie on top of the page."),
 ("T", "Someone has circled a documentary titled \"Merged Worlds\" in red ink."),
]),
("antique clock gold details mantel", [
 ("V", "An ornate mantel clock with gilded details stands on a marble fireplace."),
 ("V", "Its white enamel dial has black Roman numerals."),
 ("T", "A brass plaque at its base is engraved with the maker's name and \"Paris 1870\"."),
 ("V", "Two candlesticks flank it on either side."),
]),
]

write_part(10, C)
