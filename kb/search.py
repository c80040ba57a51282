"""Search that understands how clinicians type: an in-memory index of our own.

Why not the database's full-text search: results must be the same on SQLite and PostgreSQL,
and French light stemming, "e-CPS"/"ecps"/"e cps", accents and one typo per word are easier
to get identical and right in forty lines of Python than in two SQL dialects. The content is
small (a few hundred pages; 10,000 in the benchmark), so the whole index fits in memory.

Freshness: the index is built from a published content snapshot (kb.snapshot), lazily, once
per version; it never reads the draft tables.
"""

import functools
import heapq
import math
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

TITLE, SUMMARY, BODY = 6.0, 3.0, 1.0
TYPO_PENALTY = 0.7
MAX_QUERY_LENGTH = 200

# Ways people write the same thing, folded to one token before anything else.
ALIASES = [
    (re.compile(r"\be[\s\-]*cp([sxaef])\b"), r"ecp\1"),
    (re.compile(r"\bqr[\s\-]*codes?\b"), "qrcode"),
    (re.compile(r"\bpro[\s\-]*sante[\s\-]*connect\b"), "prosanteconnect"),
    (re.compile(r"\bfrance[\s\-]*connect\b"), "franceconnect"),
    (re.compile(r"\b(?:mise?s?|mettre|mets|mettez)[\s\-]+a[\s\-]+jour\b|\bmaj\b"), "miseajour"),
    (re.compile(r"\bmots?[\s\-]*de[\s\-]*pas{1,2}e?s?\b|\bmdp\b"), "motdepasse"),
    (re.compile(r"\bcode[\s\-]+porteur\b"), "codepin"),
    (re.compile(r"\bcode[\s\-]+pin\b"), "codepin"),
    (re.compile(r"\be[\s\-]*mails?\b|\bcourriels?\b|\bmails?\b"), "mail"),
]
STOPWORDS = frozenset("""
    a au aux avec ce ces cette dans de des du elle en est et il je la le les leur ma mais me
    mes mon ne nous on ou par pas pour qu que qui sa se ses son sur ta te tes ton tu un une vos
    votre vous y suis ai as avez comment quoi quel quelle quels quelles faire fait
""".split())
# Plural first, then at most one of these, longest first (a light French stemmer).
SUFFIXES = sorted(
    """issement ations ation ateur atrice ement ment able euse eur ees ee er ez e ait aient ant
    ions ons it ir age""".split(),
    key=len, reverse=True,
)


def _fold_slowly(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(char for char in text if not unicodedata.combining(char))


def _single_char_folds() -> dict[int, str]:
    """Latin letters with accents (and the no-break spaces) map to one plain character:
    folding them with str.translate is many times faster than decomposing every string."""
    table = {}
    for code in range(0xA0, 0x250):
        folded = _fold_slowly(chr(code))
        if len(folded) == 1 and folded != chr(code):
            table[code] = folded
    table.update({0x2019: "'", 0x202F: " "})
    table.update(dict.fromkeys([*range(0x2010, 0x2016), 0x2212], "-"))
    return table


FOLDS = _single_char_folds()
BEYOND_LATIN = re.compile(r"[^\x00-\u024f]")


def fold(text: str) -> str:
    """Lower case, no accents, plain dashes. Keeps the length of ordinary French text, so
    that positions found in the folded text point into the original (for highlighting)."""
    text = (text or "").lower().translate(FOLDS)
    if not BEYOND_LATIN.search(text):
        return text
    # Rarer characters ("…", combining accents, other scripts): the general decomposition.
    return re.sub(r"[\u2010-\u2015\u2212]", "-", _fold_slowly(text.replace("’", "'")))


def normalize(text: str) -> str:
    text = fold(text)
    for pattern, replacement in ALIASES:
        text = pattern.sub(replacement, text)
    return text


def words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9]+", normalize(text))
            if len(w) > 1 and w not in STOPWORDS]


@functools.lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    if word.isdigit() or len(word) <= 3:
        return word
    if word.endswith("exion"):  # connexion -> connect, like connecter
        return word[:-4] + "ct"
    if word[-1] in "sx" and not word.endswith("ss"):
        word = word[:-1]
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def within_one_edit(a: str, b: str) -> bool:
    """Damerau-Levenshtein distance <= 1 (one substitution, insertion, deletion or swap)."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diffs) == 1 or (
            len(diffs) == 2 and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]]
        )
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


@dataclass(frozen=True)
class Document:
    url: str
    kind: str
    title: str
    summary: str
    body: str


@dataclass(frozen=True)
class Result:
    document: Document
    score: float
    title_html: SafeString
    snippet_html: SafeString


class Index:
    def __init__(self, documents: list[Document]):
        self.documents = documents
        self.postings: dict[str, dict[int, float]] = defaultdict(dict)
        self.stems_of_word: dict[str, str] = {}
        for doc_id, doc in enumerate(documents):
            for text, weight in ((doc.title, TITLE), (doc.summary, SUMMARY), (doc.body, BODY)):
                for word in set(words(text)):
                    word_stem = self.stems_of_word.setdefault(word, stem(word))
                    postings = self.postings[word_stem]
                    postings[doc_id] = postings.get(doc_id, 0.0) + weight
        # Deletion neighbours of every word, to find a typo's intended word in one lookup.
        self.by_deletion: dict[str, set[str]] = defaultdict(set)
        for word in self.stems_of_word:
            if len(word) >= 4 and not word.isdigit():
                for variant in deletions(word) | {word}:
                    self.by_deletion[variant].add(word)

    def stems_for(self, word: str) -> dict[str, float]:
        """The stems a query word may mean, with a weight: itself, or close spellings."""
        exact = stem(word)
        if exact in self.postings or len(word) < 5 or word.isdigit():
            return {exact: 1.0}
        candidates = set()
        for variant in deletions(word) | {word}:
            candidates |= self.by_deletion.get(variant, set())
        return {
            self.stems_of_word[candidate]: TYPO_PENALTY
            for candidate in candidates if within_one_edit(word, candidate)
        }

    def search(self, query: str, limit: int = 20) -> list[Result]:
        query_words = list(dict.fromkeys(words(query[:MAX_QUERY_LENGTH])))
        if not query_words:
            return []
        scores: dict[int, float] = defaultdict(float)
        matched: dict[int, int] = defaultdict(int)
        all_stems: set[str] = set()
        total = len(self.documents)
        for word in query_words:
            best_for_doc: dict[int, float] = {}
            for word_stem, penalty in self.stems_for(word).items():
                all_stems.add(word_stem)
                postings = self.postings.get(word_stem, {})
                factor = math.log(1 + total / (1 + len(postings))) * penalty
                if not best_for_doc:  # the usual case: one stem per word
                    best_for_doc = {doc_id: weight * factor for doc_id, weight in postings.items()}
                    continue
                for doc_id, weight in postings.items():
                    value = weight * factor
                    if value > best_for_doc.get(doc_id, 0.0):
                        best_for_doc[doc_id] = value
            for doc_id, value in best_for_doc.items():
                scores[doc_id] += value
                matched[doc_id] += 1
        if not scores:
            return []
        # Documents matching every word of the query come first. The heap runs on plain
        # floats (fast); ties at the cut are then settled by title, so results never
        # depend on the order rows came out of the database.
        coverage = {d: scores[d] * (matched[d] / len(query_words)) ** 2 for d in scores}
        cutoff = heapq.nlargest(limit, coverage.values())[-1]
        ranked = sorted((d for d, value in coverage.items() if value >= cutoff),
                        key=lambda d: (-coverage[d], self.documents[d].title))[:limit]
        return [
            Result(
                self.documents[d], scores[d],
                highlight(self.documents[d].title, all_stems),
                snippet(self.documents[d], all_stems),
            )
            for d in ranked
        ]


def word_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, search word) for each word of `text`, "QR code" being one word."""
    folded = fold(text)
    if len(folded) != len(text):  # rare characters that change length: word by word
        return [(m.start(), m.end(), normalize(m.group())) for m in re.finditer(r"\w+", text)]
    spans = []
    for pattern, replacement in ALIASES:
        for match in pattern.finditer(folded):
            if not any(start < match.end() and match.start() < end for start, end, _ in spans):
                spans.append((match.start(), match.end(), match.expand(replacement)))
    for match in re.finditer(r"[a-z0-9]+", folded):
        if not any(start < match.end() and match.start() < end for start, end, _ in spans):
            spans.append((match.start(), match.end(), match.group()))
    return sorted(spans)


def highlight(text: str, stems: set[str]) -> SafeString:
    """Escape `text` and wrap the words whose stem was searched in <mark>."""
    parts, position = [], 0
    for start, end, word in word_spans(text):
        if word not in STOPWORDS and stem(word) in stems:
            parts.append(escape(text[position:start]))
            parts.append(f"<mark>{escape(text[start:end])}</mark>")
            position = end
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))


def snippet(doc: Document, stems: set[str], width: int = 220) -> SafeString:
    """The sentence of the page that matches best, highlighted."""
    sentences = [s.strip() for s in re.split(r"(?<=[.!?:;])\s+|\n+", f"{doc.summary}\n{doc.body}")
                 if s.strip()]
    if not sentences:
        return mark_safe("")
    best = max(sentences, key=lambda s: sum(stem(w) in stems for w in set(words(s))))
    if len(best) > width:
        best = best[:width].rsplit(" ", 1)[0] + " …"
    return highlight(best, stems)


def plain(markdown_text: str) -> str:
    text = re.sub(r"^\s*(?:[-*+]|\d+\.)\s+", "", markdown_text or "", flags=re.MULTILINE)
    return re.sub(r"[*_`#>\[\]]|\(https?://[^)]*\)", "", text)


def build_documents(snapshot) -> list[Document]:
    """The searchable pages of one content snapshot (kb.snapshot.Snapshot)."""
    documents = [
        Document(tutorial.get_absolute_url(), "Tutoriel", tutorial.title, tutorial.summary,
                 "\n".join([plain(tutorial.prerequisites), *(
                     f"{step.title}. {plain(step.body)} {step.warning}"
                     for step in tutorial.steps)]))
        for tutorial in snapshot.published_tutorials
    ]
    documents += [
        Document(problem.get_absolute_url(), "Problème connu", problem.symptom, problem.cause,
                 plain(problem.fix))
        for problem in snapshot.known_problems
    ]
    documents += [
        Document(term.get_absolute_url(), "Glossaire", term.term, term.expansion,
                 term.definition)
        for term in snapshot.glossary
    ]
    # Wizard outcomes, by their slug: the wizard redirects to the current path to them.
    documents += [
        Document(step.direct_url + "?via=recherche", "Parcours guidé", step.title, "",
                 plain(step.body))
        for step in snapshot.steps.values() if not step.is_question
    ]
    documents += [
        Document(reverse("kb:support_lines") + f"#ligne-{line.slug}", "Contact d'assistance",
                 line.name, line.organisation, line.covers)
        for line in snapshot.lines
    ]
    return documents
