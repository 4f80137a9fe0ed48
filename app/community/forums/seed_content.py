"""Texts of the demo forums (Alpenglow Outdoor), in English and French. Data only.

`seed.py` combines them: hand-written topics (title and opening post), title patterns
for more topics, and per-language pools of reply pieces (openers, bodies by subject,
closers, staff answers). Placeholders: {product} (any product, with its article),
{fabric} (a product with a waterproof fabric), {place}, {season}, {n}, {days}.
A title starts with a capital letter once filled.
"""

from __future__ import annotations

# slug, name EN, name FR, description EN, description FR, colour, interest slug,
# min tier rank, allowed roles, subject key (selects title patterns and reply bodies)
CATEGORIES = [
    (
        "tents-shelters",
        "Tents & shelters",
        "Tentes & abris",
        "Pitching, condensation, wind and snow: everything about the Summit 2 and friends.",
        "Montage, condensation, vent et neige : tout sur la Summit 2 et les autres abris.",
        "#2f6f4f",
        "summit-2-tent",
        0,
        None,
        "tents",
    ),
    (
        "packs-carrying",
        "Packs & carrying",
        "Sacs & portage",
        "Fit, volume, packing lists and carrying comfort.",
        "Réglages, volume, listes de matériel et confort de portage.",
        "#355c8c",
        "ridge-45-pack",
        0,
        None,
        "packs",
    ),
    (
        "trips",
        "Trips & trip reports",
        "Sorties & récits",
        "Where you went, what worked, what you would change. Photos welcome.",
        "Où vous êtes allés, ce qui a marché, ce que vous changeriez. Photos bienvenues.",
        "#b4462f",
        "hiking",
        0,
        None,
        "trips",
    ),
    (
        "repair-care",
        "Repair & care",
        "Réparation & entretien",
        "Zips, seams, poles, stoves and down: make your gear last.",
        "Fermetures, coutures, arceaux, réchauds et duvet : faire durer son matériel.",
        "#8a6d1f",
        "repair-care",
        0,
        None,
        "repair",
    ),
    (
        "gold-lounge",
        "Gold Lounge",
        "Salon Gold",
        "For Gold and Platinum members: previews, early tests and meet-ups.",
        "Pour les membres Gold et Platinum : avant-premières, tests et rencontres.",
        "#c08a1e",
        None,
        2,
        None,
        "lounge",
    ),
    (
        "staff-room",
        "Staff room",
        "Salle de l'équipe",
        "Moderators, product team and admins: coordination, launches, feedback digests.",
        "Modération, équipe produit et admins : coordination, lancements, synthèses.",
        "#5b4b8a",
        None,
        0,
        "moderator,admin,product",
        "staff",
    ),
]

PLACES = {
    "en": [
        "the GR20",
        "the Tour du Mont Blanc",
        "the Cairngorms",
        "the Dolomites",
        "Lofoten",
        "the Pyrenees",
        "Snowdonia",
        "the West Highland Way",
        "Kungsleden",
        "the Lake District",
        "the Écrins",
        "the Haute Route",
    ],
    "fr": [
        "le GR20",
        "le Tour du Mont-Blanc",
        "le Vercors",
        "la Chartreuse",
        "les Écrins",
        "le Queyras",
        "les Pyrénées",
        "le Jura",
        "les Vosges",
        "le Mercantour",
        "la Vanoise",
        "le Beaufortain",
    ],
}
# How a product is named inside a sentence (with its article), by slug.
PRODUCT_PHRASES = {
    "en": {
        "summit-2-tent": "the Summit 2 tent",
        "ridge-45-pack": "the Ridge 45 pack",
        "ember-stove": "the Ember stove",
        "nordwand-jacket": "the Nordwand jacket",
        "trailhead-boots": "the Trailhead boots",
        "lumen-headlamp": "the Lumen headlamp",
        "drift-sleeping-bag": "the Drift sleeping bag",
        "cirque-poles": "the Cirque poles",
    },
    "fr": {
        "summit-2-tent": "la tente Summit 2",
        "ridge-45-pack": "le sac Ridge 45",
        "ember-stove": "le réchaud Ember",
        "nordwand-jacket": "la veste Nordwand",
        "trailhead-boots": "les chaussures Trailhead",
        "lumen-headlamp": "la frontale Lumen",
        "drift-sleeping-bag": "le duvet Drift",
        "cirque-poles": "les bâtons Cirque",
    },
}
FABRIC_PRODUCTS = ["summit-2-tent", "ridge-45-pack", "nordwand-jacket", "drift-sleeping-bag"]
SEASONS = {
    "en": ["winter", "spring", "summer", "autumn", "shoulder season"],
    "fr": ["en hiver", "au printemps", "en été", "en automne", "à l'intersaison"],
}

# --- hand-written topics --------------------------------------------------------------
# (subject key, language, author username or None, title, opening post, flags)
# flags: "pinned", "locked:<reason>", "long" (a busy thread)
SEED_TOPICS = [
    (
        "trips",
        "en",
        "sam_mod",
        "Welcome to the Alpenglow Club: start here",
        "Hello and welcome! This is the place where Alpenglow customers talk gear, trips and "
        "ideas — and where our product team actually listens.\n\n"
        "**A few things to know:**\n\n"
        "- Be kind. Everyone started somewhere.\n"
        "- Stay on topic; use the right category (tents, packs, trips, repair).\n"
        "- No selling or affiliate links, please.\n"
        "- Product problems? Post them, and tag the product: the team reads every thread.\n\n"
        "The full rules are at https://example.com/club/rules. Introduce yourself below!",
        "pinned long",
    ),
    (
        "trips",
        "fr",
        "claire",
        "Règles du club et bonnes pratiques",
        "Bienvenue à toutes et à tous ! Quelques règles simples pour que le club reste un "
        "endroit agréable :\n\n"
        "1. **Bienveillance** avant tout, surtout avec les débutants.\n"
        "2. Une question = un sujet, dans la bonne catégorie.\n"
        "3. Pas de publicité ni de liens d'affiliation.\n"
        "4. Les retours négatifs sur nos produits sont les bienvenus : c'est comme ça qu'on "
        "s'améliore.\n\n"
        "Les modérateurs (Marc, Sam) peuvent masquer un message qui ne respecte pas ces "
        "règles. Détails : https://example.com/club/regles",
        "pinned",
    ),
    (
        "tents",
        "en",
        "sam_mod",
        "Summit 2: FAQ and known issues",
        "We keep this thread up to date with the questions that come back most often.\n\n"
        "**Condensation**: open both top vents, even in rain. Pitch with the door away from "
        "the wind.\n\n"
        "**Pole sleeve snagging**: pre-2024 tents had a tight sleeve end; a free sleeve "
        "extender is available from support.\n\n"
        "**Snow load**: the Summit 2 is rated for moderate snow; shake it off at night.\n\n"
        "Care guide: https://example.com/summit-2/care",
        "pinned",
    ),
    (
        "tents",
        "en",
        "sam_mod",
        "Summit 2 pole recall (2024), questions here",
        "Some Summit 2 poles made between March and May 2024 may crack at the hub. Check the "
        "batch number printed on the pole bag: **SM2-24-03** to **SM2-24-05**.\n\n"
        "If yours is affected, request a free replacement at https://example.com/recall. "
        "Ask your questions in this thread.",
        "locked:The recall is complete. For a new question, please open a new topic.",
    ),
    (
        "tents",
        "en",
        "anna_hikes",
        "Summit 2 on the GR20 in a storm: a proper test",
        "Just back from the GR20 (north to south, 13 days). On night 6 at Refuge de Petra "
        "Piana we had gusts the guardian estimated at 90 km/h.\n\n"
        "The Summit 2 held. I had all six guy lines out and doubled the windward pegs with "
        "rocks. The fly flapped a lot but nothing bent.\n\n"
        "Two things I would change:\n\n"
        "- the stock pegs are too short for Corsican gravel;\n"
        "- the inner door zip is hard to open one-handed in the dark.\n\n"
        "Happy to answer questions.",
        "long",
    ),
    (
        "tents",
        "fr",
        "jb_alpes",
        "Condensation dans la Summit 2 en automne : vos astuces ?",
        "Je guide pas mal en moyenne montagne et je dors souvent en Summit 2 en octobre. Au "
        "réveil, l'intérieur du double-toit ruisselle.\n\n"
        "J'aère déjà les deux aérations hautes. Est-ce que vous laissez la porte entrouverte ? "
        "Vous montez plus haut, hors des fonds de vallée ?",
        "",
    ),
    (
        "tents",
        "fr",
        "juliette",
        "Monter la Summit 2 seule par grand vent",
        "Je bivouaque toujours seule et le montage par vent fort reste mon point faible. "
        "Ma méthode actuelle : piquer d'abord les deux coins au vent, puis glisser les "
        "arceaux couchés.\n\nVous faites comment ?",
        "",
    ),
    (
        "tents",
        "en",
        "grace",
        "Winter camping at -15 °C in the Summit 2",
        "Spent three nights in the Cairngorms in February. Inside temperature stayed about "
        "5 °C above outside with two people. Frost on the inner in the morning but dry bags.\n\n"
        "Snow stakes from https://example.com/snow-stakes worked much better than deadmen "
        "made of stuff sacks.",
        "",
    ),
    (
        "tents",
        "en",
        "maya",
        "Shaving grams off the Summit 2 (2,140 g to 1,810 g)",
        "I weighed everything:\n\n"
        "| item | stock | mine |\n|---|---|---|\n"
        "| pegs | 220 g | 120 g |\n| stuff sacks | 95 g | 30 g |\n| guy lines | 80 g | 45 g |\n\n"
        "The rest comes from leaving the footprint at home. Anyone gone further?",
        "",
    ),
    (
        "packs",
        "en",
        "tom.product",
        "Ridge 45: what should we change for the next version?",
        "I'm the product manager for packs. We are starting work on the next Ridge 45 and I "
        "want your **honest** feedback before we freeze the spec.\n\n"
        "What annoys you? What would you never give up? Short answers are fine.",
        "long",
    ),
    (
        "packs",
        "en",
        "priya",
        "Ridge 45 for trail running? Too much pack?",
        "I usually run with a 12 L vest, but for a three-day fastpacking trip I need more. "
        "Has anyone run with the Ridge 45 cinched down? Does it bounce?",
        "",
    ),
    (
        "packs",
        "fr",
        "lucas",
        "Réglage du Ridge 45 pour un dos court",
        "Je fais 1,68 m et le Ridge 45 en taille M me tire sur les épaules. Avant de "
        "l'échanger en S : quelqu'un a trouvé le bon réglage des rappels de charge ?",
        "",
    ),
    (
        "packs",
        "fr",
        "louis.d",
        "Sac pour randonner avec deux enfants",
        "On part quatre jours dans le Vercors avec nos deux enfants (6 et 9 ans). Je porte "
        "la tente, le réchaud et la nourriture. Le Ridge 45 suffit-il ou faut-il passer à "
        "60 litres ?",
        "",
    ),
    (
        "packs",
        "en",
        "emma.w",
        "Hip belt pockets: too small for a phone?",
        "My phone (6.7 inch) does not fit in the Ridge 45 hip belt pocket. Workarounds? "
        "Shoulder strap pouch?",
        "",
    ),
    (
        "trips",
        "en",
        "amelia",
        "Trip report: Kungsleden, Abisko to Nikkaluokta",
        "Seven days, 110 km, mostly huts but two nights in the tent.\n\n"
        "**Highlights**: the Tjäktja pass in clear weather, reindeer everywhere.\n\n"
        "**Gear notes**: the Nordwand jacket was perfect; the Trailhead boots got soaked in "
        "the first bog and stayed wet for two days. Next time: trail runners and "
        "waterproof socks.\n\nPhotos: https://example.com/kungsleden-photos",
        "long",
    ),
    (
        "trips",
        "fr",
        "raphael",
        "Récit : traversée de la Chartreuse en trois jours",
        "Départ de Saint-Pierre-de-Chartreuse, nuit au col de la Charmette puis au Habert "
        "de Bonnevaux.\n\nPoints forts : les crêtes du Charmant Som au lever du soleil. "
        "Point faible : très peu d'eau après le deuxième jour, prévoyez 3 litres.\n\n"
        "Le réchaud Ember a été impeccable, même à 4 °C le matin.",
        "",
    ),
    (
        "trips",
        "fr",
        "chloe",
        "Bivouac photo au lac Blanc : retour d'expérience",
        "Je voulais la lumière du matin sur les Aiguilles Rouges. Bivouac autorisé au-dessus "
        "de 2 000 m en respectant les horaires (19 h – 9 h).\n\n"
        "Conseil : montez en semaine, le week-end c'est bondé. La frontale Lumen en mode "
        "rouge a évité d'éblouir tout le monde.",
        "",
    ),
    (
        "trips",
        "en",
        "isla",
        "Munro bagging in November: worth it?",
        "Planning a week around Glencoe in November. Short days, probably wet. Is it worth "
        "it or should I wait for spring? What would you carry?",
        "",
    ),
    (
        "trips",
        "fr",
        "theo",
        "Première sortie ski de rando : quel matériel ?",
        "Je viens du trail et je veux me mettre au ski de randonnée cet hiver. À part le DVA, "
        "la pelle et la sonde, vous emportez quoi dans le sac pour une sortie à la journée ?",
        "",
    ),
    (
        "trips",
        "en",
        "daniel",
        "Leading groups: what is in your emergency kit?",
        "As a mountain leader I carry a group shelter, a first-aid kit and spare layers. "
        "Curious what others carry and how you split the weight across the group.",
        "",
    ),
    (
        "repair",
        "fr",
        "lea.r",
        "Tuto : remplacer un curseur de fermeture éclair",
        "Le curseur de la porte de ma Summit 2 ne fermait plus (les dents s'écartent derrière). "
        "Pas besoin de changer toute la fermeture :\n\n"
        "1. ouvrir l'arrêt en bas avec une pince ;\n"
        "2. retirer l'ancien curseur ;\n"
        "3. glisser le nouveau (taille **n° 5**) ;\n"
        "4. recoudre un arrêt.\n\n"
        "Vingt minutes, 3 € de pièce. Curseurs : https://example.com/zips",
        "long",
    ),
    (
        "repair",
        "en",
        "hannah",
        "Repair café night: bring your broken gear",
        "Our repair café runs every first Saturday. Last month we fixed three tent poles, a "
        "stove and a dozen zips. Post what you would like help with and I will bring parts.",
        "",
    ),
    (
        "repair",
        "en",
        "ben_t",
        "Restoring my grandfather's 1970s stove",
        "It is a brass pressure stove, completely seized. I soaked it in vinegar overnight "
        "and the jet is clear now, but the pump leather is dry. Neatsfoot oil or replace?",
        "",
    ),
    (
        "repair",
        "fr",
        "arthur",
        "Réimperméabiliser une veste Nordwand",
        "Ma veste Nordwand a quatre ans et l'eau ne perle plus. Lavage avec une lessive "
        "technique puis sèche-linge à basse température : ça suffit, ou faut-il un "
        "produit DWR en spray ?",
        "",
    ),
    (
        "repair",
        "en",
        "kenji",
        "Measured: how much loft does a down bag lose after 5 years?",
        "I measured my Drift sleeping bag with the same method as when it was new: loft went "
        "from 18 cm to 15.5 cm. After one wash with down soap and a long tumble dry with "
        "tennis balls it is back to 17 cm. Method and photos: https://example.com/loft",
        "",
    ),
    (
        "repair",
        "fr",
        "manon",
        "Arceau cassé en plein bivouac : que faire ?",
        "Un arceau de ma tente a cassé hier soir. J'ai tenu la nuit avec du scotch. Il y a "
        "une solution de fortune plus solide à emporter ?",
        "",
    ),
    (
        "lounge",
        "en",
        "amelia",
        "Gold preview: first impressions of the new Lumen 800",
        "Got the preview unit last week. Brighter, yes, but what I really like is the "
        "lock mode: no more flat battery in the pack.\n\nWhat would you like me to test?",
        "",
    ),
    (
        "lounge",
        "fr",
        "jb_alpes",
        "Rencontre Gold dans les Écrins en juin ?",
        "Plusieurs membres Gold sont dans la région. Qui serait partant pour une sortie "
        "commune (et un bivouac) mi-juin ? Je peux proposer un itinéraire.",
        "",
    ),
    (
        "lounge",
        "fr",
        "camille",
        "Bienvenue au Salon Gold",
        "Cet espace est réservé aux membres Gold et Platinum. On y partage les avant-"
        "premières, les tests de prototypes et les idées qui ne sont pas encore publiques. "
        "Merci de garder les détails pour vous jusqu'au lancement !",
        "pinned",
    ),
    (
        "lounge",
        "en",
        "daniel",
        "Early test: Ridge 45 prototype with the new frame",
        "The prototype frame is stiffer and the load transfer to the hips is clearly better. "
        "Downside: 150 g heavier. Would you take that trade?",
        "",
    ),
    (
        "staff",
        "en",
        "sam_mod",
        "Moderation guidelines for product criticism",
        "Reminder: criticism of our products stays up, even when it is harsh. We only act on "
        "insults, spam and personal data. When in doubt, ask here before hiding anything.",
        "pinned",
    ),
    (
        "staff",
        "fr",
        "ines.product",
        "Synthèse des retours Summit 2 — trimestre",
        "Les trois sujets qui reviennent le plus :\n\n"
        "1. les sardines trop courtes en sol caillouteux ;\n"
        "2. la fermeture de la porte intérieure difficile d'une main ;\n"
        "3. la condensation en automne.\n\n"
        "Je propose de traiter le 1 dès la prochaine série. Avis ?",
        "",
    ),
    (
        "staff",
        "en",
        "tom.product",
        "Launch plan: Ridge 45 colour update",
        "New colours ship in March. Community post goes out a week before, Gold members get "
        "a preview in the lounge two weeks before. Any objections?",
        "",
    ),
    (
        "staff",
        "fr",
        "marc.team",
        "Planning des permanences modération",
        "Je prends les soirs de semaine, Sam les week-ends. Claire en renfort pendant les "
        "lancements. Pensez à noter vos absences ici.",
        "",
    ),
    (
        "tents",
        "en",
        "oliver_k",
        "First tent: is the Summit 2 overkill for summer camping?",
        "I'm new to camping and mostly go to campsites in summer. The Summit 2 looks great "
        "but it is a four-season tent. Am I paying for features I won't use?",
        "",
    ),
    (
        "packs",
        "en",
        "felix",
        "Bikepacking with the Ridge 45: bad idea?",
        "I have the Ridge 45 and no budget for frame bags this year. Has anyone ridden a "
        "few days with it? Back sweat aside, how was the stability?",
        "",
    ),
    (
        "trips",
        "en",
        "rose",
        "Sunrise hikes before work: my routine",
        "Alarm at 4:30, trailhead at 5:15, summit for sunrise, at my desk by 9. The Lumen "
        "headlamp and a thermos do most of the work. Anyone else doing this?",
        "",
    ),
    (
        "repair",
        "en",
        "sofia",
        "Resoling climbing shoes vs the Trailhead boots",
        "My climbing shoes went to a resoler for the first time. Made me wonder: can the "
        "Trailhead boots be resoled, and is it worth it?",
        "",
    ),
    (
        "trips",
        "fr",
        "zoe",
        "Trail dans le Jura : vos boucles préférées ?",
        "Je cherche des boucles de 20 à 30 km autour de Métabief. Peu de dénivelé, beaucoup "
        "de forêt. Vos idées ?",
        "",
    ),
    (
        "tents",
        "fr",
        "victor",
        "Tapis de sol : utile sous la Summit 2 ?",
        "Le footprint coûte cher. Une bâche de chantier découpée fait-elle l'affaire, ou "
        "est-ce que ça abîme le fond de la tente ?",
        "",
    ),
]

# --- generated topics: title patterns by subject and language --------------------------
TITLE_PATTERNS = {
    "en": {
        "tents": [
            "Summit 2 in {season}: how did it hold up?",
            "Pitching the Summit 2 on rocky ground in {place}",
            "Condensation in the Summit 2 on {place}",
            "Summit 2 vs a tarp for {place}?",
            "Which guy line knots do you use?",
            "Summit 2 after {n} nights: long-term review",
            "Best pitch spots on {place}?",
            "Packing the Summit 2 wet: how do you dry it?",
        ],
        "packs": [
            "Packing list for {place} in a 45 L pack",
            "Ridge 45 fit after {n} days of use",
            "Carrying poles and tent on the outside of the pack",
            "Rain cover or pack liner for {place}?",
            "Ridge 45 load lifters: how tight?",
            "How heavy is your base weight for {place}?",
        ],
        "trips": [
            "Trip report: {place} in {season}",
            "{place} with kids: advice?",
            "{days} days on {place}: my gear list",
            "Best time of year for {place}?",
            "First solo trip: {place}",
            "Water sources on {place} in {season}",
            "Getting to {place} by train",
        ],
        "repair": [
            "Fixing a stuck zip on {fabric}",
            "Re-waterproofing {fabric}",
            "Cleaning {fabric} after {season}",
            "Replacing a broken pole section",
            "Storing down gear between trips",
            "Patch or replace? Small tear in {fabric}",
        ],
        "lounge": [
            "Gold preview: {product}, next generation",
            "Gold meet-up in {place}?",
            "Early access feedback: {product}",
            "Prototype test on {place}",
        ],
        "staff": [
            "Feedback digest: {product}",
            "Support escalations this month: {product}",
            "Community newsletter draft ({season})",
        ],
    },
    "fr": {
        "tents": [
            "La Summit 2 {season} : votre retour ?",
            "Monter la Summit 2 sur sol caillouteux dans {place}",
            "Condensation dans la Summit 2 dans {place}",
            "Summit 2 ou tarp pour {place} ?",
            "Quels nœuds pour les haubans ?",
            "Summit 2 après {n} nuits : bilan",
            "Les meilleurs coins de bivouac dans {place} ?",
            "Ranger la Summit 2 mouillée : comment la sécher ?",
        ],
        "packs": [
            "Liste de matériel pour {place} dans un 45 litres",
            "Réglage du Ridge 45 après {n} jours",
            "Accrocher bâtons et tente à l'extérieur du sac",
            "Housse de pluie ou sac étanche pour {place} ?",
            "Rappels de charge du Ridge 45 : quel serrage ?",
            "Quel poids de base pour {place} ?",
        ],
        "trips": [
            "Récit : {place} {season}",
            "{place} avec des enfants : des conseils ?",
            "{days} jours dans {place} : ma liste",
            "Quelle période pour {place} ?",
            "Première sortie en solo : {place}",
            "Points d'eau dans {place} {season}",
            "Aller dans {place} en train",
        ],
        "repair": [
            "Fermeture bloquée : {fabric}",
            "Réimperméabiliser {fabric}",
            "Nettoyer {fabric} en fin de saison",
            "Remplacer un segment d'arceau cassé",
            "Stocker le duvet entre deux sorties",
            "Rustine ou remplacement ? Petit accroc sur {fabric}",
        ],
        "lounge": [
            "Avant-première Gold : {product}, nouvelle génération",
            "Rencontre Gold dans {place} ?",
            "Retour d'accès anticipé : {product}",
            "Test de prototype dans {place}",
        ],
        "staff": [
            "Synthèse des retours : {product}",
            "Escalades du support ce mois-ci : {product}",
            "Brouillon de la newsletter de saison",
        ],
    },
}

# Opening posts of generated topics: an opening line, then one or two reply bodies of the
# same subject, then a question.
TOPIC_OPENERS = {
    "en": [
        "Quick question for the experienced folks here.",
        "I've been thinking about this for a while and would love some input.",
        "Back from a few days out and I have mixed feelings.",
        "Searching the forum did not give me a clear answer, so here goes.",
        "Long-time reader, first post.",
        "Sharing what I learned the hard way.",
        "Not sure this is the right category, move it if needed.",
        "Planning season is here!",
    ],
    "fr": [
        "Petite question pour les plus expérimentés.",
        "J'y réfléchis depuis un moment, vos avis m'intéressent.",
        "De retour de quelques jours dehors, avec un avis mitigé.",
        "La recherche du forum ne m'a pas donné de réponse claire, alors je me lance.",
        "Je lis le forum depuis longtemps, premier message.",
        "Je partage ce que j'ai appris à mes dépens.",
        "Pas sûr que ce soit la bonne catégorie, déplacez si besoin.",
        "C'est la saison des préparatifs !",
    ],
}
TOPIC_QUESTIONS = {
    "en": [
        "What would you do?",
        "Any experience with this?",
        "Thanks in advance!",
        "Curious to hear how others handle it.",
        "Am I missing something obvious?",
        "Tips welcome.",
    ],
    "fr": [
        "Vous feriez comment ?",
        "Des retours d'expérience ?",
        "Merci d'avance !",
        "Curieux de savoir comment vous faites.",
        "Je passe à côté de quelque chose ?",
        "Toute astuce est bienvenue.",
    ],
}

# --- replies ---------------------------------------------------------------------------
REPLY_OPENERS = {
    "en": [
        "Good question.",
        "Same here!",
        "I had exactly this problem last year.",
        "+1 to what was said above.",
        "Interesting thread.",
        "From my experience:",
        "Thanks for sharing this.",
        "Great write-up.",
        "Hmm, I see it differently.",
        "Short answer: yes.",
        "Short answer: it depends.",
        "Been there.",
    ],
    "fr": [
        "Bonne question.",
        "Pareil pour moi !",
        "J'ai eu exactement ce problème l'an dernier.",
        "+1 avec ce qui a été dit plus haut.",
        "Sujet intéressant.",
        "D'après mon expérience :",
        "Merci pour le partage.",
        "Super récit.",
        "Hmm, je vois ça autrement.",
        "Réponse courte : oui.",
        "Réponse courte : ça dépend.",
        "Je connais ça.",
    ],
}
REPLY_CLOSERS = {
    "en": [
        "Hope this helps.",
        "Good luck!",
        "Let us know how it goes.",
        "Enjoy the trip!",
        "Just my two cents.",
        "Happy to share photos if useful.",
        "YMMV of course.",
        "",
    ],
    "fr": [
        "En espérant que ça aide.",
        "Bonne chance !",
        "Tiens-nous au courant.",
        "Bonne sortie !",
        "Mon avis, pour ce qu'il vaut.",
        "Je peux partager des photos si ça sert.",
        "À chacun de voir, bien sûr.",
        "",
    ],
}

REPLY_BODIES = {
    "en": {
        "tents": [
            "Open both vents and crack the door zip a few centimetres: condensation halved for me.",
            "Pitch the fly first in rain. The inner clips in from underneath and stays dry.",
            "I swapped the stock pegs for **V-shaped aluminium** ones. Night and day on hard "
            "ground.",
            "Don't pitch at the bottom of a valley: cold air pools there and everything gets wet.",
            "Use the mid guy points too. People skip them and then wonder why the fly flaps.",
            "A trucker's hitch on the guy lines makes re-tensioning at 3 am much easier.",
            "The footprint is worth it on gravel; on grass I leave it at home.",
            "After {n} nights mine still looks new. Just dry it properly before storing.",
            "In snow I bury stuff sacks filled with snow as deadmen. Works better than pegs.",
            "Pole tip cups wear out first. Spares cost almost nothing.",
            "Kept me dry through two days of rain on {place}. No complaints.",
            "It's heavy for summer, no doubt. But I'd rather carry 400 g more and sleep.",
            "Face the narrow end into the wind. The difference in noise is huge.",
            "Snow load: I knock it off from inside every couple of hours with my elbow.",
            "Dry it at home by hanging the fly and inner separately. Never store it damp.",
            "Mine had a small pinhole in the floor after {n} nights. Seam grip fixed it.",
            "The vestibule fits two packs and boots if you're tidy.",
            "I pitch it solo in under five minutes now; the colour-coded clips help.",
            "Light rain on {place}, zero issues. Heavy wind is where it shines though.",
            "Bring a small sponge. Wiping the inner in the morning takes a minute.",
        ],
        "packs": [
            "Start with the hip belt, then shoulder straps, then load lifters at about 45°.",
            "A short torso? Try the S back length before fiddling with straps forever.",
            "I keep the heavy stuff (food, water) close to the back at shoulder-blade height.",
            "Pack liner every time. Rain covers blow off and don't stop water from the back.",
            "My base weight for {place} was around 7 kg with the Ridge 45.",
            "The side pockets fit a 1 L bottle, but you need to be flexible to reach it.",
            "I moved the hip belt pockets around and added a shoulder pouch for the phone.",
            "45 litres is plenty for {days} days if you are careful with food volume.",
            "Compression straps on the sides make it work as a day pack too.",
            "After {n} days, the back panel foam is still firm. Impressed.",
            "The lid is removable: I leave it at home for short trips and save 120 g.",
            "Trekking poles go in the side loops; there's a little bungee at the top.",
            "Sternum strap slides too easily on mine. A bit of tape keeps it in place.",
            "Honestly, the frame is the best thing about this pack. Don't change it.",
            "I'd love a bigger front stretch pocket for wet layers.",
            "Weigh everything once. It changed how I pack forever.",
            "Put your sleeping bag in the bottom compartment, stuffed, no sack.",
            "Try loading it with 12 kg in the shop before deciding on the size.",
            "For bikepacking it works if you tighten everything; expect a sweaty back.",
            "Shoulder straps are comfortable up to about 14 kg, beyond that it sags.",
        ],
        "trips": [
            "We did {place} in {season} last year. Stunning, but book the huts early.",
            "Bring more water than you think after the second day; sources dry up.",
            "The train gets you closer than most people think: check https://example.com/trains.",
            "With kids, halve the distance and double the snacks. Works every time.",
            "My gear list for {days} days: tent, quilt, stove, 2 days of food, one spare layer.",
            "Weather changes fast up there. We had snow in {season} at 2,000 m.",
            "Start early. Afternoon storms are the rule in summer.",
            "The best part was the ridge at sunrise. Worth every early alarm.",
            "Download the offline maps before you go: no signal for two days.",
            "Watch the river crossings after rain; we waited half a day for one.",
            "We used the huts for dinner and tented outside. Best of both worlds.",
            "Midges were brutal. Head net is not optional.",
            "Don't underestimate the descents; knees hate {place}.",
            "I'd go in {season} again: fewer people and better light.",
            "We did {days} days and it felt just right. Any shorter would be rushed.",
            "Wild camping rules differ by area; check before you go.",
            "Photos or it didn't happen! Seriously, share some.",
            "Our route is on https://example.com/routes if anyone wants the GPX.",
            "Trail runners and waterproof socks beat boots for me on that route.",
            "Sunset from the col was unreal. Camped 100 m below, out of the wind.",
        ],
        "repair": [
            "Clean the zip with a toothbrush and warm water first. Often that's all it needs.",
            "Squeeze the slider gently with pliers: **gently**. The teeth close again.",
            "Seam grip on both sides, let it cure 24 h. Don't rush it.",
            "Wash with a technical detergent, then tumble dry on low to reactivate the DWR.",
            "Spray-on DWR only after washing; on dirty fabric it's wasted.",
            "Tenacious tape for small tears, round the corners so it doesn't peel.",
            "A pole repair sleeve weighs 10 g. Always in my kit.",
            "Store down loose in a big cotton bag, never compressed.",
            "Down wash plus tennis balls in the dryer. Takes hours but the loft comes back.",
            "For the stove: clean the jet with the needle tool, never a pin.",
            "A drop of silicone on the O-ring and it seals again.",
            "The repair café near me fixed {fabric} for free. Check your local one.",
            "Support sent a replacement part within a week. Just ask.",
            "I re-proofed {fabric} {n} times now; still going strong.",
            "Hand-stitch with bonded nylon thread, then seal the stitches.",
            "Old zip pulls replaced with cord loops: easier with gloves.",
            "Resoling is worth it if the uppers are fine. About a third of a new pair.",
            "Patch from the inside and the outside for anything bigger than a coin.",
            "Replacing a slider takes 20 minutes; a whole zip is a job for a pro.",
            "Keep a tiny repair kit: tape, needle, thread, spare buckle, cable ties.",
        ],
        "lounge": [
            "Thanks for the preview! Battery life is what I'd test first.",
            "Count me in for the meet-up, weekends in June work for me.",
            "The new frame is clearly better on long days. 150 g is a fair trade.",
            "I'd love to test it on {place}. Happy to write a full report.",
            "Good to see the team asking us before freezing the design.",
            "Could Gold members vote on the colours?",
            "Tested it for {n} days: solid, but the buckle feels cheap.",
            "Please keep the lock mode. It's the best feature.",
            "I'll bring the prototype to {place} next month and report back.",
            "Happy to host a small group, I know the area well.",
        ],
        "staff": [
            "Agreed. Let's review the thread together on Monday.",
            "I'll add it to the feedback report for the product team.",
            "The supplier confirmed the longer pegs for the next batch.",
            "No objection from me. Let's tell the community early.",
            "I can cover the weekend of the launch.",
            "Can we link the answer from the FAQ thread?",
            "Flag count is low this month; mostly spam, all handled.",
            "Draft looks good. Maybe a line about the repair café?",
            "I'll reply in the public thread once it's confirmed.",
            "Let's keep the harsh review visible: it's fair criticism.",
        ],
        "general": [
            "Welcome to the club!",
            "Welcome! Great to have you here.",
            "Hi everyone, long-time customer, first post. I mostly hike in {place}.",
            "Hello! New here, planning my first trip to {place} this {season}.",
            "Thanks, this is really useful.",
            "Following this thread.",
            "Bookmarked.",
            "Same question here, following.",
            "That matches my experience exactly.",
            "Good point, I hadn't thought of that.",
        ],
    },
    "fr": {
        "tents": [
            "Ouvre les deux aérations et entrouvre la porte de quelques centimètres : "
            "condensation divisée par deux chez moi.",
            "Sous la pluie, monte d'abord le double-toit. La chambre s'accroche dessous et "
            "reste sèche.",
            "J'ai remplacé les sardines d'origine par des **sardines en V** en alu. Le jour "
            "et la nuit sur sol dur.",
            "Évite les fonds de vallée : l'air froid s'y accumule et tout est trempé au réveil.",
            "Utilise aussi les points d'ancrage intermédiaires, beaucoup les oublient.",
            "Un nœud de cabestan ajustable et tu retends les haubans en deux secondes.",
            "Le tapis de sol vaut le coup sur le gravier ; sur l'herbe je le laisse.",
            "Après {n} nuits la mienne est comme neuve. Il suffit de bien la sécher.",
            "Dans la neige, j'enterre des sacs remplis de neige en guise de corps-morts.",
            "Les embouts d'arceaux s'usent en premier. Les pièces coûtent trois fois rien.",
            "Elle m'a gardé au sec deux jours de pluie dans {place}. Rien à redire.",
            "Lourde pour l'été, c'est sûr. Mais je préfère porter 400 g de plus et dormir.",
            "Mets le petit côté face au vent : la différence de bruit est énorme.",
            "Neige : je la fais tomber de l'intérieur toutes les deux heures avec le coude.",
            "Sèche-la à la maison en suspendant séparément double-toit et chambre.",
            "Un petit trou dans le tapis après {n} nuits : réparé à la colle à coutures.",
            "L'abside accueille deux sacs et les chaussures si on est rangé.",
            "Je la monte seul en moins de cinq minutes, les clips de couleur aident.",
            "Pluie fine dans {place}, aucun souci. C'est par grand vent qu'elle brille.",
            "Prends une petite éponge : essuyer la chambre le matin prend une minute.",
        ],
        "packs": [
            "Commence par la ceinture, puis les bretelles, puis les rappels de charge à 45°.",
            "Dos court ? Essaie la taille S avant de jouer des sangles pendant des heures.",
            "Je mets le lourd (eau, nourriture) contre le dos, à hauteur des omoplates.",
            "Sac étanche intérieur à chaque fois. La housse s'envole et ne protège pas le dos.",
            "Mon poids de base pour {place} : environ 7 kg avec le Ridge 45.",
            "Les poches latérales prennent une gourde d'un litre, mais il faut être souple.",
            "J'ai ajouté une pochette sur la bretelle pour le téléphone.",
            "45 litres suffisent pour {days} jours si on optimise le volume de nourriture.",
            "Avec les sangles de compression, il sert aussi de sac à la journée.",
            "Après {n} jours, la mousse du dos est toujours ferme. Impressionné.",
            "Le rabat est amovible : je le laisse pour les sorties courtes, 120 g de gagnés.",
            "Les bâtons se rangent dans les boucles latérales, avec l'élastique en haut.",
            "La sangle de poitrine glisse trop chez moi. Un bout de scotch et c'est réglé.",
            "Franchement, l'armature est le meilleur point de ce sac. Ne la changez pas.",
            "J'aimerais une poche frontale plus grande pour les couches mouillées.",
            "Pèse tout une fois. Ça change ta façon de faire ton sac pour toujours.",
            "Le duvet dans le compartiment du bas, en vrac, sans housse.",
            "Essaie-le chargé à 12 kg en magasin avant de choisir la taille.",
            "En bikepacking ça passe si tout est bien serré ; prévois le dos trempé.",
            "Confortable jusqu'à 14 kg environ, au-delà les bretelles fatiguent.",
        ],
        "trips": [
            "On a fait {place} {season} l'an dernier. Magnifique, réservez les refuges tôt.",
            "Prévois plus d'eau que tu ne penses après le deuxième jour.",
            "Le train t'amène plus près qu'on croit : regarde https://example.com/trains.",
            "Avec des enfants, divise la distance par deux et double le goûter.",
            "Ma liste pour {days} jours : tente, duvet, réchaud, deux jours de nourriture, "
            "une couche de rechange.",
            "La météo tourne vite là-haut. On a eu de la neige {season} à 2 000 m.",
            "Pars tôt : les orages de l'après-midi sont la règle en été.",
            "Le meilleur moment : la crête au lever du soleil. Ça valait le réveil.",
            "Télécharge les cartes hors ligne : pas de réseau pendant deux jours.",
            "Attention aux passages de torrent après la pluie, on a attendu une demi-journée.",
            "Repas au refuge, nuit sous tente à côté : le meilleur des deux mondes.",
            "Les moucherons étaient terribles. La moustiquaire de tête n'est pas une option.",
            "Ne sous-estime pas les descentes, les genoux détestent {place}.",
            "J'y retournerais {season} : moins de monde et une plus belle lumière.",
            "On a fait {days} jours, c'était parfait. Plus court, ça aurait été la course.",
            "Les règles de bivouac changent d'un parc à l'autre, renseigne-toi avant.",
            "Des photos sinon ça ne compte pas ! Sérieusement, partage-les.",
            "Notre trace est sur https://example.com/routes si quelqu'un veut le GPX.",
            "Chaussures de trail et chaussettes étanches plutôt que des chaussures montantes.",
            "Le coucher de soleil depuis le col, incroyable. Bivouac 100 m plus bas, à l'abri.",
        ],
        "repair": [
            "Nettoie d'abord la fermeture avec une brosse à dents et de l'eau tiède.",
            "Resserre le curseur avec une pince : **doucement**. Les dents se referment.",
            "Colle à coutures des deux côtés, 24 h de séchage. Ne te précipite pas.",
            "Lavage avec une lessive technique puis sèche-linge doux pour réactiver le DWR.",
            "Le spray DWR seulement après lavage ; sur un tissu sale c'est du gâchis.",
            "Ruban de réparation pour les petits accrocs, avec les coins arrondis.",
            "Un manchon de réparation d'arceau pèse 10 g. Toujours dans mon kit.",
            "Range le duvet en vrac dans un grand sac en coton, jamais compressé.",
            "Lessive pour duvet et balles de tennis au sèche-linge : le gonflant revient.",
            "Pour le réchaud : nettoie le gicleur avec l'aiguille fournie, jamais une épingle.",
            "Une goutte de silicone sur le joint torique et c'est de nouveau étanche.",
            "Le repair café près de chez moi a réparé {fabric} gratuitement.",
            "Le SAV m'a envoyé la pièce en une semaine. Il suffit de demander.",
            "J'ai réimperméabilisé {fabric} {n} fois, ça tient toujours.",
            "Couture à la main avec du fil nylon, puis colle sur les points.",
            "J'ai remplacé les tirettes par des boucles de cordelette : plus simple avec "
            "des gants.",
            "Le ressemelage vaut le coup si la tige est saine. Un tiers du prix du neuf.",
            "Rustine dedans et dehors pour tout ce qui dépasse une pièce de monnaie.",
            "Changer un curseur, vingt minutes ; une fermeture entière, c'est pour un pro.",
            "Un mini kit : ruban, aiguille, fil, boucle de rechange, colliers de serrage.",
        ],
        "lounge": [
            "Merci pour l'avant-première ! Je testerais d'abord l'autonomie.",
            "Je suis partant pour la rencontre, les week-ends de juin me vont.",
            "La nouvelle armature est nettement mieux sur les longues journées.",
            "Je veux bien le tester dans {place} et écrire un retour complet.",
            "Ça fait plaisir que l'équipe nous demande avant de figer le design.",
            "Les membres Gold pourraient voter pour les coloris ?",
            "Testé {n} jours : solide, mais la boucle fait un peu cheap.",
            "Gardez le mode verrouillage, c'est la meilleure fonction.",
            "J'emporte le prototype dans {place} le mois prochain, je vous dis.",
            "Je peux accueillir un petit groupe, je connais bien le coin.",
        ],
        "staff": [
            "D'accord. On relit le fil ensemble lundi.",
            "Je l'ajoute au rapport de retours pour l'équipe produit.",
            "Le fournisseur confirme les sardines plus longues pour la prochaine série.",
            "Pas d'objection. Prévenons la communauté tôt.",
            "Je peux couvrir le week-end du lancement.",
            "On peut mettre le lien dans le sujet FAQ ?",
            "Peu de signalements ce mois-ci, surtout du spam, tout est traité.",
            "Le brouillon est bien. Une ligne sur le repair café ?",
            "Je réponds dans le sujet public dès que c'est confirmé.",
            "On laisse l'avis sévère visible : la critique est juste.",
        ],
        "general": [
            "Bienvenue au club !",
            "Bienvenue ! Ravi de te voir ici.",
            "Bonjour à tous, client depuis longtemps, premier message. Je randonne surtout "
            "dans {place}.",
            "Salut ! Nouveau ici, je prépare ma première sortie dans {place} {season}.",
            "Merci, c'est vraiment utile.",
            "Je suis le sujet.",
            "Mis en favori.",
            "Même question, je suis.",
            "Ça correspond exactement à mon expérience.",
            "Bien vu, je n'y avais pas pensé.",
        ],
    },
}

# What a member of the product team says in a public thread about their product.
STAFF_ANSWERS = {
    "en": [
        "Product team here: thanks, this is exactly the kind of feedback we need. I've "
        "added it to our list for the next version.",
        "Thanks for the detailed report. Could you send the batch number printed on the "
        "label? It helps us trace the production run.",
        "Good news: this is fixed in the current production run; support can send the "
        "updated part.",
        "We tested this in the lab and can reproduce it. A fix is planned; I'll post here "
        "when it ships.",
        "Quick clarification from the team: the warranty covers this, contact support "
        "via https://example.com/support.",
        "We read every reply in this thread. Keep them coming!",
    ],
    "fr": [
        "L'équipe produit ici : merci, c'est exactement le genre de retour qu'il nous faut. "
        "Je l'ajoute à la liste pour la prochaine version.",
        "Merci pour ce retour détaillé. Tu peux m'envoyer le numéro de lot sur "
        "l'étiquette ? Ça nous aide à retrouver la série.",
        "Bonne nouvelle : c'est corrigé dans la série en cours ; le SAV peut t'envoyer la "
        "pièce modifiée.",
        "On a testé en labo et on reproduit le problème. Une correction est prévue, je "
        "vous tiens au courant ici.",
        "Précision de l'équipe : la garantie couvre ce cas, contacte le SAV via "
        "https://example.com/support.",
        "On lit toutes les réponses de ce sujet. Continuez !",
    ],
}

# Extra sentences added to a post in a later edit (the revision keeps the text before).
EDIT_ADDITIONS = {
    "en": [
        "**Edit:** photos here: https://example.com/photos",
        "**Edit:** added the weight figures.",
        "**Update:** support replied, replacement on its way.",
        "**Edit:** typo.",
        "**Update:** tried it again last weekend, same result.",
    ],
    "fr": [
        "**Edit :** les photos sont ici : https://example.com/photos",
        "**Edit :** ajout des poids.",
        "**Mise à jour :** le SAV a répondu, pièce en route.",
        "**Edit :** coquille.",
        "**Mise à jour :** réessayé le week-end dernier, même résultat.",
    ],
}
