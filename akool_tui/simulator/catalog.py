"""Fixed reference data of the simulator: voices, languages, avatar name pools.

Media URLs point at a reserved ``.example`` host: the simulator serves no media.
"""

from __future__ import annotations

from typing import Any

MEDIA_BASE = "https://static.akool-sim.example"
DEFAULT_AVATAR_ID = "dvp_Tristan_cloth2_1080P"
DEFAULT_VOICE_ID = "en-US-AndrewMultilingualNeural"

#: (lang_code, lang_name, flag)
LANGUAGES: tuple[tuple[str, str, str], ...] = (
    ("en", "English", "us"),
    ("zh", "Chinese (Mandarin)", "cn"),
    ("es", "Spanish", "es"),
    ("fr", "French", "fr"),
    ("de", "German", "de"),
    ("it", "Italian", "it"),
    ("pt", "Portuguese", "br"),
    ("ja", "Japanese", "jp"),
    ("ko", "Korean", "kr"),
    ("ru", "Russian", "ru"),
    ("ar", "Arabic", "sa"),
    ("hi", "Hindi", "in"),
    ("nl", "Dutch", "nl"),
    ("pl", "Polish", "pl"),
    ("tr", "Turkish", "tr"),
    ("sv", "Swedish", "se"),
    ("id", "Indonesian", "id"),
    ("vi", "Vietnamese", "vn"),
    ("th", "Thai", "th"),
    ("uk", "Ukrainian", "ua"),
    ("fil", "Filipino", "ph"),
)

#: (voice_id, name, gender, language, locale, support_stream, type, accent, description)
#: type 2 = AKool voice, type 1 = the account's cloned voice
VOICES: tuple[tuple[str, str, str, str, str, bool, int, str, str], ...] = (
    ("en-US-AndrewMultilingualNeural", "Andrew", "Male", "English", "en-US", True, 2, "American", "warm, confident"),
    ("en-US-AvaMultilingualNeural", "Ava", "Female", "English", "en-US", True, 2, "American", "bright, friendly"),
    ("en-US-BrianMultilingualNeural", "Brian", "Male", "English", "en-US", True, 2, "American", "casual, clear"),
    ("en-US-EmmaMultilingualNeural", "Emma", "Female", "English", "en-US", True, 2, "American", "cheerful"),
    ("en-US-GuyNeural", "Guy", "Male", "English", "en-US", False, 2, "American", "newscast"),
    ("en-GB-RyanNeural", "Ryan", "Male", "English", "en-GB", True, 2, "British", "calm narrator"),
    ("en-GB-SoniaNeural", "Sonia", "Female", "English", "en-GB", True, 2, "British", "professional"),
    ("en-AU-NatashaNeural", "Natasha", "Female", "English", "en-AU", True, 2, "Australian", "upbeat"),
    ("en-IN-NeerjaNeural", "Neerja", "Female", "English", "en-IN", False, 2, "Indian", "customer service"),
    ("zh-CN-XiaoxiaoNeural", "Xiaoxiao", "Female", "Chinese", "zh-CN", True, 2, "Mandarin", "warm"),
    ("zh-CN-YunxiNeural", "Yunxi", "Male", "Chinese", "zh-CN", True, 2, "Mandarin", "lively"),
    ("zh-TW-HsiaoChenNeural", "HsiaoChen", "Female", "Chinese", "zh-TW", False, 2, "Taiwanese", "gentle"),
    ("es-ES-ElviraNeural", "Elvira", "Female", "Spanish", "es-ES", True, 2, "Castilian", "clear"),
    ("es-MX-JorgeNeural", "Jorge", "Male", "Spanish", "es-MX", True, 2, "Mexican", "friendly"),
    ("fr-FR-DeniseNeural", "Denise", "Female", "French", "fr-FR", True, 2, "Parisian", "elegant"),
    ("fr-FR-HenriNeural", "Henri", "Male", "French", "fr-FR", True, 2, "Parisian", "deep"),
    ("de-DE-KatjaNeural", "Katja", "Female", "German", "de-DE", True, 2, "Standard", "precise"),
    ("de-DE-ConradNeural", "Conrad", "Male", "German", "de-DE", True, 2, "Standard", "authoritative"),
    ("it-IT-ElsaNeural", "Elsa", "Female", "Italian", "it-IT", True, 2, "Standard", "expressive"),
    ("it-IT-DiegoNeural", "Diego", "Male", "Italian", "it-IT", False, 2, "Standard", "storyteller"),
    ("pt-BR-FranciscaNeural", "Francisca", "Female", "Portuguese", "pt-BR", True, 2, "Brazilian", "sunny"),
    ("pt-BR-AntonioNeural", "Antonio", "Male", "Portuguese", "pt-BR", True, 2, "Brazilian", "relaxed"),
    ("ja-JP-NanamiNeural", "Nanami", "Female", "Japanese", "ja-JP", True, 2, "Tokyo", "polite"),
    ("ja-JP-KeitaNeural", "Keita", "Male", "Japanese", "ja-JP", True, 2, "Tokyo", "calm"),
    ("ko-KR-SunHiNeural", "SunHi", "Female", "Korean", "ko-KR", True, 2, "Seoul", "soft"),
    ("ko-KR-InJoonNeural", "InJoon", "Male", "Korean", "ko-KR", False, 2, "Seoul", "formal"),
    ("ru-RU-SvetlanaNeural", "Svetlana", "Female", "Russian", "ru-RU", True, 2, "Moscow", "steady"),
    ("ar-SA-ZariyahNeural", "Zariyah", "Female", "Arabic", "ar-SA", True, 2, "Gulf", "warm"),
    ("ar-EG-ShakirNeural", "Shakir", "Male", "Arabic", "ar-EG", False, 2, "Egyptian", "energetic"),
    ("hi-IN-SwaraNeural", "Swara", "Female", "Hindi", "hi-IN", True, 2, "Standard", "kind"),
    ("hi-IN-MadhurNeural", "Madhur", "Male", "Hindi", "hi-IN", True, 2, "Standard", "confident"),
    ("nl-NL-FennaNeural", "Fenna", "Female", "Dutch", "nl-NL", True, 2, "Standard", "direct"),
    ("pl-PL-MarekNeural", "Marek", "Male", "Polish", "pl-PL", False, 2, "Standard", "serious"),
    ("tr-TR-EmelNeural", "Emel", "Female", "Turkish", "tr-TR", True, 2, "Istanbul", "bright"),
    ("sv-SE-SofieNeural", "Sofie", "Female", "Swedish", "sv-SE", True, 2, "Stockholm", "light"),
    ("id-ID-ArdiNeural", "Ardi", "Male", "Indonesian", "id-ID", True, 2, "Jakarta", "friendly"),
    ("vi-VN-HoaiMyNeural", "HoaiMy", "Female", "Vietnamese", "vi-VN", True, 2, "Northern", "gentle"),
    ("th-TH-PremwadeeNeural", "Premwadee", "Female", "Thai", "th-TH", False, 2, "Bangkok", "polite"),
    ("uk-UA-PolinaNeural", "Polina", "Female", "Ukrainian", "uk-UA", True, 2, "Kyiv", "clear"),
    ("clone7f3a9c2e51d84b06", "My narrator voice", "Male", "English", "en-US", True, 1, "American", "cloned from upload"),
    ("clone2b8e4d6f90a13c75", "Support desk (Lena)", "Female", "German", "de-DE", True, 1, "Standard", "cloned from upload"),
    ("clone91c0e5a7d3f2b846", "CEO welcome message", "Male", "English", "en-GB", False, 1, "British", "cloned, still training"),
)

#: (first name, gender, matching AKool voice id) for seeded avatars
AVATAR_PEOPLE: tuple[tuple[str, str, str], ...] = (
    ("Tristan", "male", DEFAULT_VOICE_ID),
    ("Sofia", "female", "en-US-AvaMultilingualNeural"),
    ("Marcus", "male", "en-US-BrianMultilingualNeural"),
    ("Amelia", "female", "en-GB-SoniaNeural"),
    ("Kenji", "male", "ja-JP-KeitaNeural"),
    ("Lucia", "female", "es-ES-ElviraNeural"),
    ("Oliver", "male", "en-GB-RyanNeural"),
    ("Mei", "female", "zh-CN-XiaoxiaoNeural"),
    ("Rafael", "male", "pt-BR-AntonioNeural"),
    ("Chloe", "female", "fr-FR-DeniseNeural"),
    ("Arjun", "male", "hi-IN-MadhurNeural"),
    ("Hannah", "female", "de-DE-KatjaNeural"),
    ("Daniel", "male", "en-US-AndrewMultilingualNeural"),
    ("Yuna", "female", "ko-KR-SunHiNeural"),
    ("Omar", "male", "en-US-BrianMultilingualNeural"),
    ("Emma", "female", "en-US-EmmaMultilingualNeural"),
)
OUTFITS = ("cloth1", "cloth2", "suit", "casual", "blazer", "doctor", "hoodie", "studio")
USER_AVATAR_LABELS = (
    "Brand host", "Sales demo", "Onboarding guide", "Support agent", "Product tour",
    "Webinar presenter", "Recruiting", "Reception desk",
)


def language_list() -> list[dict[str, Any]]:
    """The ``lang_list`` of the v3 language list."""
    return [
        {"lang_code": code, "lang_name": name, "url": f"{MEDIA_BASE}/flags/{flag}.png"}
        for code, name, flag in LANGUAGES
    ]


def language_codes() -> frozenset[str]:
    return frozenset(code for code, _, _ in LANGUAGES)


#: voice ids whose cloning has not finished (status 2: processing)
TRAINING_VOICES = frozenset({"clone91c0e5a7d3f2b846"})
VOICE_SCENARIOS = (
    "Advertisement", "Audiobook", "Customer Service", "E-learning", "Narration",
    "Conversation", "Social Media", "Gaming", "Corporate",
)
#: a description word -> the scenario it suggests
_SCENARIO_HINTS = {
    "newscast": "News", "customer": "Customer Service", "storyteller": "Audiobook",
    "narrator": "Narration", "professional": "Corporate", "authoritative": "Corporate",
}
VOICE_AGES = ("Young Adult", "Middle Aged", "Senior")


def voice_model_name(vid: str, stream: bool, vtype: int) -> str:
    """"Akool Multilingual 2" voices cannot stream; 1 and 3 can (spec section 2)."""
    if not stream:
        return "Akool Multilingual 2"
    if vtype == 1 or "Multilingual" in vid:
        return "Akool Multilingual 3"
    return "Akool Multilingual 1"


def _voice_tags(n: int, vtype: int, desc: str) -> tuple[list[str], list[str], list[str]]:
    """(style, scenario, age) of the n-th voice, derived from its description."""
    style = ["Natural"] if vtype == 1 else [w.strip().title() for w in desc.split(",")]
    scenario = [VOICE_SCENARIOS[n % len(VOICE_SCENARIOS)]]
    for word in desc.replace(",", " ").split():
        hint = _SCENARIO_HINTS.get(word)
        if hint and hint not in scenario:
            scenario.insert(0, hint)
    extra = VOICE_SCENARIOS[(n * 4 + 3) % len(VOICE_SCENARIOS)]
    if extra not in scenario:
        scenario.append(extra)
    age = [VOICE_AGES[(n * 7) % 5 % len(VOICE_AGES)]]
    return style, scenario, age


def voice_list(create_time_ms: int) -> list[dict[str, Any]]:
    """Every voice as the v4 voice list answers it, in a stable order."""
    out = []
    for n, (vid, name, gender, language, locale, stream, vtype, accent, desc) in enumerate(VOICES):
        style, scenario, age = _voice_tags(n, vtype, desc)
        out.append(
            {
                "_id": f"66{n:022x}",
                "voice_id": vid,
                "name": name,
                "gender": gender,
                "language": language,
                "locale": locale,
                "accent": accent,
                "description": desc,
                "preview": f"{MEDIA_BASE}/voices/{vid}.mp3",
                "support_stream": stream,
                "type": vtype,
                "voice_model_name": voice_model_name(vid, stream, vtype),
                "status": 2 if vid in TRAINING_VOICES else 3,
                "duration": 4_000 + (n * 1_733) % 9_000,
                "style": style,
                "scenario": scenario,
                "age": age,
                "create_time": create_time_ms - (n + 1) * 86_400_000,
            }
        )
    return out


# -- fast_dialogue ------------------------------------------------------------------

#: the voices of ``scene_mode: fast_dialogue`` with ``e2e_type: openai`` (spec section 3)
OPENAI_VOICES = ("alloy", "ash", "ballad", "coral", "echo", "sage", "shimmer", "verse",
                 "marin", "cedar")
E2E_TYPES = ("openai",)
SCENE_MODES = ("fast_dialogue",)


# -- avatars made in AKool's web app (the avatar list's platform=aigc) ---------------

#: (name, gender, voice id, days old)
AIGC_AVATARS: tuple[tuple[str, str, str, float], ...] = (
    ("Product launch host", "female", "en-US-AvaMultilingualNeural", 12.5),
    ("Clinic front desk", "female", "en-GB-SoniaNeural", 5.2),
    ("Holiday greeting", "male", "en-US-AndrewMultilingualNeural", 1.3),
)


# -- knowledge bases --------------------------------------------------------------------

KNOWLEDGE_BASE = "https://files.akool-sim.example/knowledge"

#: seeded knowledge bases: (from, name, prologue, prompt, docs [(name, size)], urls, days old)
KNOWLEDGE_BASES: tuple[tuple[int, str, str, str, tuple[tuple[str, int], ...], tuple[str, ...], float], ...] = (
    (
        1, "AKool Streaming Avatar FAQ",
        "Hi! Ask me anything about AKool's streaming avatars.",
        "You answer questions about AKool's streaming avatars: sessions, avatars, voices, "
        "languages and credits. Keep answers short and friendly; when you are not sure, say "
        "so and point to the documentation.",
        (("streaming-avatar-faq.pdf", 1_482_113), ("error-codes.md", 18_204)),
        ("https://help.akool-sim.example/streaming-avatar",),
        210.0,
    ),
    (
        1, "General assistant",
        "",
        "You are a helpful, concise assistant. Answer in the language the user speaks.",
        (),
        (),
        365.0,
    ),
    (
        2, "Acme support desk",
        "Hello, and welcome to Acme support! How can I help you today?",
        "You are Acme's support agent. Use the returns policy and the product manual to answer. "
        "Never promise a refund: explain the policy and offer to open a ticket. Escalate "
        "anything about safety to a human at once.",
        (("returns-policy.pdf", 2_318_776), ("product-manual-v4.docx", 8_912_004),
         ("warranty.md", 14_360)),
        ("https://acme.example/support", "https://acme.example/returns"),
        41.0,
    ),
    (
        2, "Clinic reception",
        "Good morning, this is the Riverside Clinic front desk.",
        "You greet patients, explain opening hours and which insurers we work with, and book "
        "no appointments yourself: give the phone number instead. Never give medical advice.",
        (("opening-hours.txt", 2_048), ("insurance-partners.csv", 31_877)),
        ("https://riverside-clinic.example/visit",),
        17.0,
    ),
    (
        2, "Hotel concierge (Lisbon)",
        "Olá! I am the concierge of Hotel Miradouro. Where would you like to go today?",
        "Recommend restaurants, tours and spa treatments from the documents. Mention prices "
        "only as listed. Answer in English or Portuguese.",
        (("restaurants.json", 96_512), ("spa-menu.pdf", 4_730_118)),
        ("https://hotel-miradouro.example/experiences",),
        6.0,
    ),
    (
        2, "HR onboarding 2026",
        "",
        "You help new employees with the handbook and the benefits. Do not discuss salaries.",
        (("employee-handbook.pdf", 24_117_890), ("benefits.xml", 212_455)),
        (),
        0.8,
    ),
)
