"""Emoji shortcodes: a curated table, the same for the renderer and the composer's list.

Short and deliberate (the faces, hands and things a gear community writes about), rather
than the 1,800 names of a full set: a name that is not here stays as typed.
"""

from __future__ import annotations

import re

EMOJI: dict[str, str] = {
    "smile": "😄", "grin": "😁", "joy": "😂", "laughing": "😆", "wink": "😉", "blush": "😊",
    "slightly_smiling_face": "🙂", "upside_down_face": "🙃", "heart_eyes": "😍",
    "star_struck": "🤩", "thinking": "🤔", "neutral_face": "😐", "unamused": "😒",
    "sweat_smile": "😅", "cry": "😢", "sob": "😭", "angry": "😠", "scream": "😱",
    "sunglasses": "😎", "nerd_face": "🤓", "sleeping": "😴", "shrug": "🤷", "facepalm": "🤦",
    "cold_face": "🥶", "hot_face": "🥵", "partying_face": "🥳", "hugs": "🤗",
    "thumbsup": "👍", "+1": "👍", "thumbsdown": "👎", "-1": "👎", "clap": "👏", "wave": "👋",
    "ok_hand": "👌", "pray": "🙏", "muscle": "💪", "raised_hands": "🙌", "point_up": "☝️",
    "eyes": "👀", "heart": "❤️", "broken_heart": "💔", "fire": "🔥", "sparkles": "✨",
    "star": "⭐", "100": "💯", "tada": "🎉", "check": "✅", "white_check_mark": "✅",
    "x": "❌", "warning": "⚠️", "question": "❓", "exclamation": "❗", "bulb": "💡",
    "zap": "⚡", "rocket": "🚀", "mountain": "⛰️", "mountain_snow": "🏔️", "camping": "🏕️",
    "tent": "⛺", "sunrise": "🌅", "sunny": "☀️", "cloud": "☁️", "rain": "🌧️",
    "snowflake": "❄️", "snowman": "⛄", "umbrella": "☔", "rainbow": "🌈", "evergreen_tree": "🌲",
    "deciduous_tree": "🌳", "fallen_leaf": "🍂", "hiking_boot": "🥾", "backpack": "🎒",
    "compass": "🧭", "map": "🗺️", "camera": "📷", "flashlight": "🔦", "fire_extinguisher": "🧯",
    "coffee": "☕", "tea": "🍵", "beer": "🍺", "pizza": "🍕", "bike": "🚲", "car": "🚗",
    "train": "🚆", "airplane": "✈️", "ski": "🎿", "climbing": "🧗", "runner": "🏃",
    "swimmer": "🏊", "dog": "🐶", "cat": "🐱", "bear": "🐻", "wrench": "🔧", "hammer": "🔨",
    "gear": "⚙️", "package": "📦", "gift": "🎁", "moneybag": "💰", "trophy": "🏆",
    "medal": "🏅", "calendar": "📅", "memo": "📝", "link": "🔗", "lock": "🔒", "key": "🔑",
    "bell": "🔔", "mag": "🔍", "speech_balloon": "💬", "recycle": "♻️", "seedling": "🌱",
}  # fmt: skip

SHORTCODE = re.compile(r"(?<![\w:]):([a-z0-9_+\-]{1,32}):(?![\w:])")


def replace_shortcodes(text: str) -> str:
    """`:name:` -> its emoji, for the names of the table; other text untouched."""
    return SHORTCODE.sub(lambda m: EMOJI.get(m.group(1), m.group(0)), text)
