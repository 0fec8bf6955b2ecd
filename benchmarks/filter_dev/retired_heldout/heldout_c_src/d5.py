# Hand-written captions, part 5 (longer captions, rambling and multi-leak voices).
D5 = [
("Rusty Kubota tractor L2350 for sale runs good $6500 obo", [
 ("The listing says this Kubota L2350 tractor runs good and is for sale for $6500 or best offer.", "ir"),
 ("An orange Kubota L2350 compact tractor is parked on dry grass beside a wooden shed.", "v"),
 ("The paint is faded and there is rust on the hood and on the front loader bucket.", "v"),
 ("The tractor has a front loader attached, and the bucket is resting on the ground.", "v"),
 ("The tires look worn but they still have tread on them.", "v"),
 ("The bit about best offer didn't belong in a picture description, so it's gone.", "ie"),
 ("A chain-link fence runs along the back of the yard.", "v")]),
("wedding reception tent fairy lights", [
 ("Below is a richer, more detailed take.", "mc"),
 ("A white wedding reception tent glows with strings of fairy lights draped across its ceiling.", "v"),
 ("Long wooden tables are set with white linen, candles and eucalyptus garlands.", "v"),
 ("Each place setting has a small card with a guest's name written in calligraphy.", "t"),
 ("Guests in suits and dresses mingle near a bar at the far end.", "v"),
 ("Through the open side of the tent, the sky is fading to dusk.", "v")]),
("Istanbul tram Istiklal street", [
 ("Got it!", "ac"),
 ("A red vintage tram rolls down Istiklal Avenue in Istanbul through a dense crowd of pedestrians.", "v"),
 ('Shop signs in Turkish line the street, including one reading "İndirim %50".', "t"),
 ('Input 2 named the street; input 1 only said "a tram in a busy street".', "ir"),
 ("A Turkish flag hangs from a balcony above the shops.", "v"),
 ("Some people walk right beside the tram tracks.", "v")]),
("XRD diffraction pattern graph materials science", [
 ("An X-ray diffraction pattern is plotted as a black line with sharp peaks on a white background.", "v"),
 ('The x-axis is labelled "2θ (degrees)" and the y-axis "Intensity (a.u.)".', "t"),
 ("The tallest peak is near 28 degrees, and smaller peaks are marked with Miller indices in brackets.", "v"),
 ("So the caption now covers the axes, peaks and labels.", "mc"),
 ("A second, red curve offset above it shows a reference pattern.", "v"),
 ("Tell me if the axis labels need rewording.", "ac")]),
("Lisbon azulejo tiles facade", [
 ("The building's name was not given, only the tiles.", "uh"),
 ("A façade in Lisbon is covered in blue and white azulejo tiles with a repeating floral pattern.", "v"),
 ("Wrought-iron balconies hang below tall green shutters.", "v"),
 ("A yellow tram passes in front at street level.", "v"),
 ('A street sign on a small tiled plaque reads "Rua da Madalena".', "t")]),
("Tabby cat on keyboard funny", [
 ("Caption ✅", "fr"),
 ("A tabby cat lies sprawled across a computer keyboard, blocking the screen.", "v"),
 ('The screen behind it shows a half-written email with the subject line "Re: Summary of Q3 input".', "t"),
 ("Its paw rests on the space bar.", "v")]),
("Saudi desert road camel crossing sign", [
 ("A triangular road sign with a camel silhouette warns of camels crossing on a desert highway in Saudi Arabia.", "v"),
 ('Text beneath it in Arabic and English reads "Caution: Camels".', "t"),
 ("Orange sand dunes roll away on both sides of the straight road.", "v"),
 ("That's the whole image, really.", "mc"),
 ("Heat haze shimmers over the asphalt in the distance.", "v")]),
("Hair salon before and after balayage", [
 ("From the title — before and after balayage.", "ir"),
 ("Two photos of the same woman's hair are shown side by side, before and after a balayage colour treatment.", "v"),
 ("On the left her hair is a flat dark brown.", "v"),
 ("On the right it fades from dark roots to honey-blonde ends in soft waves.", "v"),
 ("Feel free to reach out for more edits.", "ac")]),
("Forklift warehouse pallets", [
 ("Improved version follows.", "mc"),
 ("A yellow forklift lifts a pallet of shrink-wrapped boxes onto a high rack in a warehouse.", "v"),
 ("Aisles of tall orange and blue steel racks stretch into the distance.", "v"),
 ("Safety vest colour was corrected from the first draft to orange.", "ie"),
 ("The driver wears an orange safety vest and a hard hat.", "v"),
 ("Floor markings in yellow outline the walkways.", "v")]),
]
