"""Part 6: hand-written captions (more template residue, offers, long visual captions)."""
from common import write

C = [
("Ha Long Bay junk boats limestone islands", """
v Tall limestone islands rise out of calm emerald water.
v A wooden junk with rust-colored sails glides between them.
v Kayakers paddle toward a cave at the base of one island.
v Ha Long Bay in Vietnam contains nearly two thousand such islets.
v Mist hangs over the farther islands, fading them to gray.
fr <|im_start|>system
"""),
("Vintage diner jukebox", """
v A chrome and neon jukebox glows against a checkered wall.
t Its selection cards list songs like 'Blue Suede Shoes' and 'Johnny B. Goode'.
v Red vinyl booths line the counter nearby.
v A milkshake glass sits half-empty on a table.
fr ASSISTANT:
"""),
("Cheetah running savanna", """
fr ### Response:
ac Sure.
v A cheetah sprints across dry grass with its body stretched long.
v All four feet are off the ground at once.
v Its black tear marks run from its eyes to its mouth.
v Cheetahs can reach speeds of about 100 kilometers per hour in short bursts.
"""),
("Solar eclipse totality corona", """
v A black disk is ringed by a white, wispy halo against a dark sky.
v Tiny pink flares glow at the edge of the disk.
v The corona becomes visible only during a total solar eclipse.
ir Which eclipse — 2017 in the description field — isn't visible in the sky itself.
v The horizon glows orange all around.
"""),
("Barber shop vintage chair", """
v A red leather barber chair with chrome armrests faces a large mirror.
v Combs sit in a jar of blue disinfectant.
t A striped pole spins outside the window.
t A price list on the wall reads 'Haircut $20 — Shave $15'.
v Straight razors are lined up on a white towel.
ac Let me know if you'd like a more old-timey tone!
"""),
("Hanok village Seoul traditional houses", """
v Low wooden houses with curved tiled roofs line a sloping lane.
v Their walls are made of pale stone and plaster.
v Bukchon Hanok Village in Seoul preserves hundreds of traditional homes.
t A small wooden plaque by one door reads '북촌'.
v Visitors in rented hanbok walk up the hill.
fr <end_of_turn>
fr <start_of_turn>user
"""),
("Medieval manuscript illuminated letter", """
v A large gold letter 'D' is decorated with vines and a tiny painted bird.
v Neat black Latin script fills the rest of the page.
mc Scholarly without being dry — a good result.
v The parchment is creased and darkened at the edges.
v Illuminated manuscripts were hand-copied and painted in monasteries.
"""),
("Freight train desert Arizona", """
v A long freight train snakes across a flat desert.
v Mountains rise purple on the horizon.
v Orange and blue locomotives pull dozens of container cars.
uh I have no way to know the railroad company from what was shared.
v Saguaro cacti dot the sand near the tracks.
"""),
("Cozy cabin snowy forest", """
v A small log cabin sits among snow-laden pines.
v Warm light glows in its windows.
v Smoke rises from the stone chimney.
v Deep snow buries a woodpile by the door.
fr Title: Cozy cabin
ac Want a few alternate titles?
"""),
("Tuna auction Tsukiji market Tokyo", """
v Rows of huge frozen tuna lie on a warehouse floor.
v Buyers in rubber boots inspect the tails with flashlights.
ir The Tsukiji name came from the older record; the market has since moved to Toyosu.
t Red painted numbers mark each fish.
v The early-morning tuna auctions made Tokyo's fish market famous.
"""),
("Bridal bouquet peonies", """
v A round bouquet of pale pink peonies is wrapped in ivory ribbon.
v Sprigs of eucalyptus poke out between the blooms.
v The bride's hands hold it in front of a white lace dress.
mc Soft, romantic and on point.
fr <|endoftext|>
"""),
("Windmills Kinderdijk Netherlands", """
v A row of brick windmills stands along a canal.
v Their sails are still against a pale sky.
v Reeds grow thick along the water's edge.
v The windmills at Kinderdijk were built around 1740 to drain the polders.
uh Whether the mills are working today was not covered.
"""),
("Trail running ultra marathon mountains", """
v A runner with a hydration vest climbs a rocky switchback.
v Clouds swirl below the ridge.
t A race bib pinned to her shorts reads '112'.
v Trekking poles are folded in her hand.
ac Tell me the race name and I'll add it.
"""),
("Burmese temples Bagan balloons", """
v Hundreds of brick temples and stupas dot a misty plain.
v Hot air balloons float low over them at sunrise.
v Bagan in Myanmar has more than two thousand surviving temples.
ir The photo's date, written into the tag, isn't visible.
v The light turns the bricks a warm red.
"""),
("Open refrigerator groceries", """
v An open refrigerator is stocked with milk, eggs, vegetables and leftovers in glass containers.
t A magnet on the door holds a list titled 'Groceries — final version'.
v A carton of orange juice stands in the door shelf.
fr [INST] Merge: [/INST]
"""),
("Oxford college quadrangle spires", """
v A green lawn is enclosed by honey-colored stone buildings.
v Gothic spires rise above the roofline.
v Students cross the path with bicycles.
v Oxford is known as the City of Dreaming Spires.
mc A well-judged mix of place and atmosphere.
"""),
("Ice cream cone melting", """
v A scoop of strawberry ice cream melts down the side of a waffle cone.
v Pink drips run over a child's fingers.
fr **Description:**
"""),
("Chinese New Year lion dance", """
v A red and gold lion costume rears up on the shoulders of two dancers.
v Firecrackers smoke on the pavement.
t Banners overhead read '新年快乐'.
v Drummers beat a large drum at the side.
uh I wasn't told which city this was in.
ac Happy New Year!
"""),
("Horse portrait black stallion", """
v A black stallion stands in profile against a dark background.
v Its mane ripples in the wind.
ir The breed — Friesian, according to the scraped title — matches its feathered legs.
v Muscles stand out under its glossy coat.
"""),
("Cluttered desk home office", """
v A wooden desk holds a laptop, two coffee mugs and stacks of papers.
t A sticky note on the monitor says 'send summary to Priya'.
v A potted succulent sits on the windowsill.
v A desk lamp is bent low over a notebook.
fr Caption (fused):
"""),
]

if __name__ == "__main__":
    write(6, C, 501)
