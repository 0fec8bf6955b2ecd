"""Part 7: hand-written leak-free captions full of leak-like words used visually (traps)."""
from common import write

C = [
("Library catalog computer terminal", """
t A beige computer terminal displays a search screen with fields 'Title', 'Author' and 'Subject'.
t A results line reads 'Source: Main Collection — 3 copies available'.
v A wooden card catalog with brass handles stands beside the desk.
t A laminated note taped to the monitor says 'Please log out when finished'.
v Reading lamps with green glass shades light the tables behind.
"""),
("Audio mixer knobs studio", """
v A large mixing console stretches across a studio desk, covered in knobs and faders.
t Each channel strip is labeled with white tape: 'Kick', 'Snare', 'Vox 1' and 'Vox 2'.
t A row of jacks on the back panel is marked 'Input 1' through 'Input 16'.
v Green and red level meters glow above the faders.
v Studio monitors sit on foam pads on either side.
"""),
("Movie theater marquee vintage", """
t A glowing marquee spells 'NOW SHOWING: THE ORIGINAL VERSION' in black letters.
v Hundreds of bulbs chase around its edges.
t A smaller board underneath reads 'Director's Cut — Subtitled'.
v People queue at a ticket booth under the awning.
v The sidewalk shines after rain.
"""),
("Highway sign lanes merge", """
t A yellow diamond sign shows two arrows converging, warning that lanes merge ahead.
v Orange construction barrels narrow the road to a single lane.
v Brake lights stretch into the distance.
t A digital board flashes 'EXPECT DELAYS — USE ALT ROUTE'.
"""),
("Book cover mystery novel", """
t A paperback cover shows a foggy street under the title 'The Missing Caption'.
t The author's name runs across the bottom in gold capitals.
t A small banner in the corner reads 'Now a major motion picture'.
v The paperback lies on a tartan blanket next to a cup of tea.
v Its spine is cracked from reading.
"""),
("Museum label artifact bronze helmet", """
v A corroded bronze helmet with cheek guards sits on a clear acrylic stand.
t A small label beside it gives 'Provenance: unknown' and 'Date: c. 500 BC'.
t A second line on the label says 'Description: Corinthian-type helmet, hammered bronze'.
v Green patina streaks the crown.
v Spotlights cast a sharp shadow on the back wall.
"""),
("Electrical panel breaker labels", """
v A gray metal breaker panel hangs open on a basement wall.
t Handwritten labels next to the switches read 'Kitchen', 'Dryer' and 'Main Input'.
t A printed sticker inside the door lists 'Summary of circuits — see diagram'.
v One breaker is flipped to the off position.
v Cobwebs stretch across the upper corner.
"""),
("Fruit stand mixed berries combined basket", """
v A wooden crate holds a combined mix of raspberries, blueberries and blackberries.
t A handwritten card reads 'Mixed Berries — picked this morning'.
v Beads of water sit on the fruit.
t Another card on a flat of strawberries says 'Original variety: Chandler'.
v A scale with a brass pan sits at the end of the stall.
"""),
("River confluence aerial Koblenz", """
v Two rivers of different colors meet at a pointed spit of land.
v The merged stream flows on, with a visible line where the colors mix.
v A huge equestrian statue stands at the tip of the point.
v The Rhine and the Moselle join at the Deutsches Eck in Koblenz.
t Flags of the German states line the promenade behind the statue.
"""),
("Podcast recording setup microphone", """
v A silver condenser microphone hangs on a boom arm in front of a foam panel.
v Two pairs of headphones rest on a wooden table.
t A laptop screen shows a recording app with a track named 'Episode 42 — final notes'.
t A sticky note on the lamp reads 'Remember: cite your sources!'.
v A glass of water sits beside a small mixer.
"""),
("Hotel lobby check-in sign", """
v A marble reception desk is backed by a wall of warm wooden slats.
t A brass sign on the counter reads 'Reception — Please provide ID at check-in'.
v A vase of white lilies stands at one end.
t Clocks above the desk are labeled 'London', 'New York' and 'Tokyo'.
v A bellhop cart waits near the elevators.
"""),
("Scientific poster conference session", """
t A large research poster is divided into sections titled 'Abstract', 'Methods', 'Results' and 'Summary'.
t A scatter plot in the results section has the axis label 'Input dose (mg)'.
v A presenter in a blazer points to the chart while two visitors listen.
t A badge on her lanyard reads 'Presenter'.
v Rows of other posters stretch down the hall behind them.
"""),
]

if __name__ == "__main__":
    write(7, C, 551)
