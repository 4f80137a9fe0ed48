"""Demo members and taxonomy for Alpenglow Outdoor, a fictional outdoor-gear brand."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import func, select

from app.core.db import unit_of_work
from app.core.time import utcnow
from app.extensions import db
from app.members.models import Interest, Member, MemberInterest
from app.members.passwords import hash_password

DEMO_PASSWORD = "club-demo-2026"

PRODUCTS = [
    (
        "summit-2-tent",
        "Summit 2 tent",
        "Tente Summit 2",
        "Two-person four-season tent.",
        "Tente deux places quatre saisons.",
    ),
    (
        "ridge-45-pack",
        "Ridge 45 backpack",
        "Sac à dos Ridge 45",
        "45-litre trekking pack.",
        "Sac de trek de 45 litres.",
    ),
    (
        "ember-stove",
        "Ember stove",
        "Réchaud Ember",
        "Ultralight gas stove.",
        "Réchaud à gaz ultraléger.",
    ),
    (
        "nordwand-jacket",
        "Nordwand jacket",
        "Veste Nordwand",
        "Three-layer shell jacket.",
        "Veste trois couches imperméable.",
    ),
    (
        "trailhead-boots",
        "Trailhead boots",
        "Chaussures Trailhead",
        "Mid-cut hiking boots.",
        "Chaussures de randonnée mi-montantes.",
    ),
    (
        "lumen-headlamp",
        "Lumen headlamp",
        "Frontale Lumen",
        "Rechargeable 600-lumen headlamp.",
        "Frontale rechargeable 600 lumens.",
    ),
    (
        "drift-sleeping-bag",
        "Drift sleeping bag",
        "Sac de couchage Drift",
        "Down bag rated to −5 °C.",
        "Sac en duvet confort −5 °C.",
    ),
    (
        "cirque-poles",
        "Cirque trekking poles",
        "Bâtons Cirque",
        "Carbon folding poles.",
        "Bâtons pliants en carbone.",
    ),
]
THEMES = [
    (
        "hiking",
        "Hiking",
        "Randonnée",
        "Day hikes and long-distance trails.",
        "Sorties à la journée et grandes traversées.",
    ),
    (
        "camping",
        "Camping",
        "Camping",
        "Nights out, bivouacs and base camps.",
        "Nuits dehors, bivouacs et camps de base.",
    ),
    (
        "climbing",
        "Climbing",
        "Escalade",
        "Crags, multi-pitch and alpine routes.",
        "Falaises, grandes voies et alpinisme.",
    ),
    (
        "trail-running",
        "Trail running",
        "Trail",
        "Running on mountain paths.",
        "Courir sur les sentiers de montagne.",
    ),
    (
        "repair-care",
        "Repair & care",
        "Réparation & entretien",
        "Make your gear last.",
        "Faire durer son matériel.",
    ),
    (
        "sustainability",
        "Sustainability",
        "Durabilité",
        "Materials, second hand, footprint.",
        "Matériaux, seconde main, empreinte.",
    ),
    (
        "photography",
        "Outdoor photography",
        "Photo en montagne",
        "Light, landscapes and gear.",
        "Lumière, paysages et matériel.",
    ),
    (
        "winter",
        "Winter & snow",
        "Hiver & neige",
        "Snowshoes, ski touring and cold nights.",
        "Raquettes, ski de rando et nuits froides.",
    ),
]

# (username, display name, locale, role, tier, bio)
MEMBERS = [
    (
        "claire",
        "Claire Dubois",
        "fr",
        "admin",
        "platinum",
        "Responsable communauté chez Alpenglow. Je lis tout, promis.",
    ),
    (
        "marc.team",
        "Marc Lefèvre",
        "fr",
        "moderator",
        "gold",
        "Community manager. Ask me anything about the club.",
    ),
    ("sam_mod", "Sam Okafor", "en", "moderator", "gold", "Moderator and weekend scrambler."),
    (
        "ines.product",
        "Inès Moreau",
        "fr",
        "product",
        "silver",
        "Cheffe de produit tentes et sacs de couchage.",
    ),
    (
        "tom.product",
        "Tom Becker",
        "en",
        "product",
        "silver",
        "Product manager for packs. I want your *honest* feedback.",
    ),
    (
        "anna_hikes",
        "Anna Schmidt",
        "en",
        "member",
        "platinum",
        "GR20 twice, Haute Route once. Tent: Summit 2, since 2019.",
    ),
    (
        "lucas",
        "Lucas Martin",
        "fr",
        "member",
        "gold",
        "Grimpeur du dimanche, randonneur tous les jours.",
    ),
    ("priya", "Priya Nair", "en", "member", "gold", "Trail runner. Ultra distances, tiny packs."),
    (
        "jb_alpes",
        "Jean-Baptiste Roux",
        "fr",
        "member",
        "platinum",
        "Guide de moyenne montagne dans les Écrins.",
    ),
    ("emma.w", "Emma Wilson", "en", "member", "silver", "Weekend camper with two kids and a dog."),
    ("noah", "Noah Fischer", "en", "member", "bronze", ""),
    (
        "chloe",
        "Chloé Bernard",
        "fr",
        "member",
        "silver",
        "Photographe amatrice, toujours en quête de la lumière du matin.",
    ),
    ("oliver_k", "Oliver King", "en", "member", "bronze", "New to camping. Learning a lot here."),
    (
        "lea.r",
        "Léa Robert",
        "fr",
        "member",
        "gold",
        "Je répare tout : fermetures éclair, arceaux, réchauds.",
    ),
    (
        "mateo",
        "Mateo García",
        "en",
        "member",
        "silver",
        "Pyrenees local. Mountain huts over tents.",
    ),
    (
        "sofia",
        "Sofia Rossi",
        "en",
        "member",
        "bronze",
        "Climbing gym to real rock, one step at a time.",
    ),
    ("hugo", "Hugo Petit", "fr", "member", "bronze", ""),
    ("maya", "Maya Cohen", "en", "member", "silver", "Ultralight nerd. I weigh everything."),
    ("louis.d", "Louis Durand", "fr", "member", "bronze", "Randonnées en famille dans le Vercors."),
    ("grace", "Grace Liu", "en", "member", "gold", "Winter camping and snowshoe trips."),
    ("theo", "Théo Lambert", "fr", "member", "silver", "Trail et ski de rando."),
    ("ella", "Ella Johansson", "en", "member", "bronze", "Scandinavian fjells are my happy place."),
    ("nathan", "Nathan Girard", "fr", "member", "bronze", ""),
    (
        "amelia",
        "Amelia Brown",
        "en",
        "member",
        "platinum",
        "Long-time member, long-distance hiker. PCT 2022.",
    ),
    ("julie", "Julie Fontaine", "fr", "member", "silver", "Bivouac et photo de nuit."),
    ("ben_t", "Ben Taylor", "en", "member", "bronze", "Fixing my grandfather's old stove."),
    (
        "camille",
        "Camille Mercier",
        "fr",
        "member",
        "gold",
        "Alpinisme l'été, cascade de glace l'hiver.",
    ),
    (
        "kenji",
        "Kenji Watanabe",
        "en",
        "member",
        "silver",
        "Gear tester by hobby, engineer by trade.",
    ),
    ("manon", "Manon Blanc", "fr", "member", "bronze", "Débutante motivée !"),
    ("lena", "Lena Novak", "en", "member", "bronze", ""),
    ("arthur", "Arthur Faure", "fr", "member", "silver", "Seconde main et réparation avant tout."),
    ("zoe", "Zoé André", "fr", "member", "bronze", "Je cours, je marche, je grimpe."),
    ("daniel", "Daniel Evans", "en", "member", "gold", "Mountain leader, Snowdonia."),
    ("clara", "Clara Vidal", "fr", "member", "bronze", ""),
    ("felix", "Felix Wagner", "en", "member", "silver", "Bikepacking and packrafting."),
    ("rose", "Rose Martinez", "en", "member", "bronze", "Sunrise hikes before work."),
    ("paul.g", "Paul Guerin", "fr", "member", "bronze", "Randonneur des Vosges."),
    ("isla", "Isla Murray", "en", "member", "silver", "Scottish munro bagger: 187 of 282."),
    ("adam", "Adam Nowak", "en", "member", "bronze", ""),
    ("juliette", "Juliette Caron", "fr", "member", "gold", "Bivouac en solo, toujours."),
    ("victor", "Victor Henry", "fr", "member", "bronze", "Je découvre l'escalade en falaise."),
    ("hannah", "Hannah Clarke", "en", "member", "silver", "Repair café volunteer."),
    (
        "raphael",
        "Raphaël Morel",
        "fr",
        "member",
        "platinum",
        "Membre du club depuis le premier jour.",
    ),
    ("mia", "Mia Hoffmann", "en", "member", "bronze", "Student, budget gear, big plans."),
]


def seed_taxonomy() -> int:
    created = 0
    with unit_of_work():
        existing = set(db.session.scalars(select(Interest.slug)))
        for position, (slug, en, fr, den, dfr) in enumerate(PRODUCTS):
            if slug not in existing:
                db.session.add(
                    Interest(
                        kind="product",
                        slug=slug,
                        name_en=en,
                        name_fr=fr,
                        description_en=den,
                        description_fr=dfr,
                        position=position * 10,
                    )
                )
                created += 1
        for position, (slug, en, fr, den, dfr) in enumerate(THEMES):
            if slug not in existing:
                db.session.add(
                    Interest(
                        kind="theme",
                        slug=slug,
                        name_en=en,
                        name_fr=fr,
                        description_en=den,
                        description_fr=dfr,
                        position=position * 10,
                    )
                )
                created += 1
    return created


def seed_members() -> int:
    """Create the demo members (idempotent); every account's password is DEMO_PASSWORD."""
    from app.members.loyalty import ledger

    seed_taxonomy()
    rng = random.Random(42)
    password_hash = hash_password(DEMO_PASSWORD)
    created = 0
    with unit_of_work():
        existing = set(db.session.scalars(select(Member.username_lower)))
        interest_ids = list(db.session.scalars(select(Interest.id).order_by(Interest.id)))
        now = utcnow()
        for index, (username, name, locale, role, tier, bio) in enumerate(MEMBERS):
            if username.lower() in existing:
                continue
            joined = now - timedelta(days=900 - index * 17, hours=rng.randint(0, 23))
            member = Member(
                username=username,
                username_lower=username.lower(),
                email=f"{username.replace('_', '.')}@example.com",
                password_hash=password_hash,
                display_name=name,
                bio=bio,
                role=role,
                tier=tier,
                points={"bronze": 40, "silver": 600, "gold": 2200, "platinum": 6400}[tier]
                + rng.randint(0, 300),
                locale=locale,
                email_verified_at=joined + timedelta(minutes=5),
                created_at=joined,
                last_seen_at=now - timedelta(hours=rng.randint(1, 400)),
                auth_version=1,
                # Long-standing club members: trusted (moderation's level 2), not held.
                trust_level=2,
            )
            db.session.add(member)
            db.session.flush()
            # The ledger is the tier's truth: an opening balance keeps the demo tier.
            ledger.adjust(member.id, member.points, f"seed:opening:{member.id}", "Opening balance")
            for interest_id in rng.sample(interest_ids, k=rng.randint(2, 5)):
                db.session.add(MemberInterest(member_id=member.id, interest_id=interest_id))
            created += 1
    return created


def demo_member_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Member)) or 0
