"""The built-in `offline` provider: a deterministic, seeded composer of real-looking posts.

Not an LLM: it assembles a hook, a body, a call to action and hashtags from the topic, audience,
tone and content type, so `generate` works with no keys and no network. Same seed, same post.
"""

from __future__ import annotations

import hashlib
import random
import re
import time
from collections.abc import Sequence

from fbopt.providers.base import Completion, CompletionRequest, Provider

_STOPWORDS = frozenset(
    """a an the and or but of for to in on at by with from about into over under how why what
    when where who which your our my their its is are was were be been being this that these
    those it we you they i vs versus new best top tips ways guide do does can will should
    more most than then just get make using use 5 3 10 7""".split()
)

_HOOKS = {
    "friendly": [
        "Let's talk about {topic}.",
        "Quick question for {audience}: how do you handle {topic}?",
        "We've been thinking a lot about {topic} lately.",
        "Here's something worth a minute of your day: {topic}.",
        "Ever wondered what really makes {topic} work?",
    ],
    "professional": [
        "{Topic}: what {audience} should know this week.",
        "Three things every team gets wrong about {topic}.",
        "A practical look at {topic}.",
        "If {topic} is on your agenda, start here.",
        "What the numbers say about {topic}.",
    ],
    "playful": [
        "Okay, confession time: we're a little obsessed with {topic}. 😄",
        "Plot twist: {topic} is more fun than it sounds.",
        "Raise your hand if {topic} has ever surprised you. 🙋",
        "Warning: this post about {topic} may cause sudden enthusiasm.",
        "Not to be dramatic, but {topic} just made our week. ✨",
    ],
    "inspirational": [
        "Every big change starts small, and {topic} is no exception.",
        "Here's your reminder: {topic} is worth the effort. 💪",
        "The best time to start with {topic} was yesterday. The next best is today.",
        "Progress over perfection, especially with {topic}.",
        "Small steps, big results: a few words on {topic}.",
    ],
    "urgent": [
        "Heads up, {audience}: {topic} needs your attention today.",
        "Don't miss this: {topic}.",
        "Time-sensitive: {topic}.",
        "Before the week is out, take a look at {topic}.",
        "Last call on {topic}. ⏰",
    ],
}
_TONE_ALIASES = {
    "casual": "friendly", "warm": "friendly", "conversational": "friendly", "humorous": "playful",
    "funny": "playful", "witty": "playful", "formal": "professional", "authoritative": "professional",
    "informative": "professional", "motivational": "inspirational", "uplifting": "inspirational",
    "excited": "playful", "enthusiastic": "playful", "serious": "professional", "empathetic": "friendly",
}

_BODIES = {
    "educational": [
        "The basics of {kw} are simpler than they look: start small, stay consistent, and measure what changes.",
        "Most people skip the first step with {kw}, and it is the one that matters most.",
        "A good rule of thumb for {kw}: learn one idea well before adding the next.",
        "We put together the questions {audience} ask us most about {kw}, with straight answers.",
    ],
    "technical": [
        "Under the hood, {kw} comes down to a few trade-offs: speed, cost and how much you can maintain.",
        "We tested {kw} on real workloads, and the results were clearer than we expected.",
        "The short version: get {kw} right early and you save hours of debugging later.",
        "Here's how {kw} fits together, without the jargon.",
    ],
    "entertainment": [
        "We couldn't stop talking about {kw} in the office this week.",
        "Some moments with {kw} are pure joy, and this was one of them.",
        "Behind the scenes, {kw} turned out to be even better than the trailer.",
        "Grab a snack: this one about {kw} is a good story.",
    ],
    "personal": [
        "A year ago I didn't think much about {kw}. Today, it shapes how I spend my mornings.",
        "I'll be honest: {kw} was harder than I expected, and worth every minute.",
        "Sharing this because {kw} changed something small but real for our family.",
        "What I've learned about {kw} so far: be patient, and ask for help early.",
    ],
    "promotional": [
        "This week only, our {kw} offer is open to everyone in our community.",
        "We built our new {kw} range around what you told us you needed.",
        "Thousands of {audience} already trust us for {kw}, and we're just getting started.",
        "Good news: {kw} just got easier, and the details are on our page.",
    ],
    "general": [
        "There's a lot of noise around {kw}, so here's what actually matters.",
        "We asked around, and {kw} came up again and again.",
        "Whether you're new to {kw} or a long-time fan, there's something here for you.",
        "The conversation about {kw} is changing, and we think that's a good thing.",
    ],
}
_POINTS = [
    "Start with one clear goal for {kw}.",
    "Keep what works, drop what doesn't.",
    "Check back in a week and compare.",
    "Ask someone who has done it before.",
    "Write down what you learn as you go.",
    "Make it a habit, not a one-off.",
]
_CTAS = [
    "What's your take? Tell us in the comments.",
    "Share this with someone who needs to hear it.",
    "Save this post for later, and let us know how it goes.",
    "Have you tried it? Drop your experience below. 👇",
    "Which part surprised you most? Comment below.",
    "Tag a friend who'd love this.",
    "Follow our page for more like this.",
]
_BULLETS = ["✅", "👉", "•", "🔹"]


def _keywords(topic: str) -> list[str]:
    return [w for run in _keyword_runs(topic) for w in run]


def _keyword_runs(topic: str) -> list[list[str]]:
    """Runs of adjacent content words, so pairs built from them read as in the topic."""
    runs: list[list[str]] = [[]]
    for word in re.findall(r"[A-Za-z0-9][A-Za-z0-9'&+-]*", topic):
        if word.lower().strip("'") in _STOPWORDS or len(word) < 3:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(word)
    return [r for r in runs if r]


def hashtags_for(topic: str, rng: random.Random, limit: int = 3) -> list[str]:
    """Hashtags made from the topic's own words: single keywords and one CamelCase pair."""
    runs = _keyword_runs(topic)
    words = [w for run in runs for w in run]
    if not words:
        return []
    tags = [_tag(w) for w in words]
    pairs = [run[i:i + 2] for run in runs for i in range(len(run) - 1)]
    if pairs:
        tags.insert(0, "".join(_tag(w) for w in rng.choice(pairs)))
    seen: list[str] = []
    for tag in tags:
        if tag and tag.lower() not in (s.lower() for s in seen):
            seen.append(tag)
    return ["#" + t for t in seen[:limit]]


def _tag(word: str) -> str:
    clean = re.sub(r"[^A-Za-z0-9]", "", word)
    return clean[:1].upper() + clean[1:] if clean else ""


_LEADING_LOWER = frozenset(
    "the a an our your my how why what when where this these new best top".split()
)
_DETERMINERS = frozenset("the a an our your my their".split())
_QUESTION_WORDS = frozenset("how why what when where which who should can is are do does".split())
_QUESTION_HOOKS = [
    "{Topic}? Here's what actually works.",
    "{Topic}: a quick guide for {audience}.",
    "You asked us: {Topic}? Here's our answer.",
    "{Topic}? Good question, and we have a few ideas.",
]


def _mid_sentence(topic: str) -> str:
    """Lower-case the first letter only for function words (The, Our, How...): names keep theirs."""
    first = topic.split(" ", 1)[0]
    if first.lower() in _LEADING_LOWER:
        return first[0].lower() + topic[1:]
    return topic


def _keyphrase(topic: str, rng: random.Random) -> str:
    """A short noun-ish phrase from the topic: one or two adjacent keywords, or the topic."""
    runs = [run for run in _keyword_runs(topic) if not run[-1].lower().endswith("'s")]
    if runs and (rng.random() < 0.5 or topic.split(" ", 1)[0].lower() in _QUESTION_WORDS):
        run = max(runs, key=len)
        return _mid_sentence(" ".join(run[-2:]))
    # Templates put their own "our", "the basics of"... before the phrase: drop the topic's.
    first, _, rest = topic.partition(" ")
    return _mid_sentence(rest if first.lower() in _DETERMINERS and rest else topic)


class OfflineComposer:
    """Composes one post for a request. Pure and deterministic for a given request."""

    def compose(self, req: CompletionRequest) -> str:
        rng = random.Random(self._seed(req))
        topic = " ".join(req.topic.split()).rstrip(".!?") or "what's new with us"
        fields = {
            "topic": _mid_sentence(topic),
            "Topic": topic[:1].upper() + topic[1:],
            "audience": (req.audience or "everyone").strip() or "everyone",
        }
        tone = (req.tone or "").strip().lower()
        tone = _TONE_ALIASES.get(tone, tone)
        hooks = _HOOKS.get(tone, _HOOKS["friendly"])
        if topic.split(" ", 1)[0].lower() in _QUESTION_WORDS:
            hooks = _QUESTION_HOOKS
            fields["topic"] = _keyphrase(topic, rng)
        hook = rng.choice(hooks).format(**fields)
        bodies = list(_BODIES.get(req.content_type, _BODIES["general"]))
        rng.shuffle(bodies)
        body = [b.format(kw=_keyphrase(topic, rng), **fields) for b in bodies[:2]]
        tags = hashtags_for(topic, rng, limit=rng.choice((2, 3)))
        cta = rng.choice(_CTAS)
        structure = rng.randrange(3)
        if structure == 0:
            parts = [hook, " ".join(body), cta]
        elif structure == 1:
            points = rng.sample(_POINTS, 3)
            bullet = rng.choice(_BULLETS)
            items = "\n".join(f"{bullet} {p.format(kw=_keyphrase(topic, rng))}" for p in points)
            parts = [hook, items, cta]
        else:
            parts = [hook + " " + body[0], cta]
        return self._fit(parts, tags, body, req)

    @staticmethod
    def _seed(req: CompletionRequest) -> int:
        key = f"{req.seed}|{req.topic}|{req.audience}|{req.tone}|{req.content_type}|{req.variant}"
        return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big")

    @staticmethod
    def _fit(parts: list[str], tags: list[str], body: list[str], req: CompletionRequest) -> str:
        def render(ps: list[str], ts: list[str]) -> str:
            return "\n\n".join(ps + ([" ".join(ts)] if ts else []))

        text = render(parts, tags)
        extra = iter(body)
        while len(text) < req.min_chars:
            sentence = next(extra, "Tell us what you think in the comments below.")
            parts.insert(1, sentence)
            text = render(parts, tags)
        while len(text) > req.max_chars and (tags or len(parts) > 1):
            if tags:
                tags = tags[:-1]
            else:
                parts = parts[:-1]
            text = render(parts, tags)
        if len(text) > req.max_chars:
            cut = text[: req.max_chars - 1].rsplit(" ", 1)[0]
            text = cut.rstrip(",;:") + "…"
        return text


class OfflineProvider(Provider):
    """Provider named `offline`: no credentials, no network, deterministic output, zero cost."""

    name = "offline"
    needs_credentials = False
    supports_system_prompt = False
    supports_seed = True
    deterministic = True

    def __init__(self) -> None:
        self._composer = OfflineComposer()

    async def complete(self, requests: Sequence[CompletionRequest]) -> list[Completion]:
        return [self.complete_one(req) for req in requests]

    def complete_one(self, req: CompletionRequest) -> Completion:
        start = time.perf_counter()
        text = self._composer.compose(req)
        return Completion(
            text=text,
            tokens_in=estimate_tokens(req.system) + estimate_tokens(req.prompt),
            tokens_out=estimate_tokens(text),
            cost_usd=0.0,
            latency_ms=(time.perf_counter() - start) * 1000.0,
        )


def estimate_tokens(text: str) -> int:
    """Roughly four characters per token, the usual rule for English."""
    return (len(text) + 3) // 4 if text else 0
