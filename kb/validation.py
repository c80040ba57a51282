"""What stops a draft from being published: everything that would strand or mislead a
visitor. A pure function of a content document (kb.document), so that the admin, the
`publish_content` and `import_content` commands and `manage.py check` say the same thing."""

import re
from collections import defaultdict, deque
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email

from kb import audience
from kb.document import LINE_REFERENCE
from kb.illustrations import ILLUSTRATIONS
from kb.images import SERVED_NAME
from kb.models import Step, Tutorial, phone_digits, validate_french_phone
from kb.search import fold

_url_validator = URLValidator(schemes=["http", "https"])
SLUG = re.compile(r"[-a-z0-9_]{1,30}")

# Contacts the sources supersede (../shared/DOMAIN.md §2): mentioned to warn, never offered.
RETIRED_PHONES = {"0809400082": "0 809 40 00 82 (remplacé par le 0 806 800 213)"}
RETIRED_EMAIL_DOMAINS = {"asipsante.fr": "@asipsante.fr (ancien nom de l'ANS : @esante.gouv.fr)"}
RETIRED_LINK = re.compile(r'href="(?:tel:(?P<tel>[^"]+)|mailto:[^"@]*@(?P<domain>[^"?]+))')

# Fields shown as they are typed: Markdown there would reach visitors as raw ** and [](…).
PLAIN_FIELDS = {
    "support_lines": ["name", "organisation", "covers", "call_cost", "opening_hours",
                      "visitor_notice"],
    "steps": ["title", "question", "action_label"],
    "tutorials": ["title", "summary"],
    "known_problems": ["symptom", "cause", "contact_note"],
    "glossary": ["term", "expansion", "definition"],
    "overlays": ["welcome"],
}
MARKDOWN = re.compile(r"\*\*|__\w|\[[^\]]+\]\(|^#{1,6} |`", re.MULTILINE)


@dataclass(frozen=True)
class Problem:
    """One thing to fix, in French, with the object it is about (for a link to its form)."""

    collection: str
    slug: str
    message: str
    # For a reference to a missing object: that object, as (collection, slug), so that a
    # refused selection can say « cochez aussi … » once instead of this message too.
    about: tuple = ()

    def __str__(self):
        return self.message


def problems(document: dict) -> list[Problem]:
    found: list[Problem] = []
    steps = {step["slug"]: step for step in document["steps"]}
    lines = {line["slug"]: line for line in document["support_lines"]}
    tutorials = {tutorial["slug"]: tutorial for tutorial in document["tutorials"]}
    known = {problem["slug"]: problem for problem in document["known_problems"]}

    names = step_names(document)

    def name(step):
        return names[step["slug"]]

    def report(collection, slug, text, about=()):
        found.append(Problem(collection, slug, text, about))

    def check_reference(collection, slug, owner, target, targets, what):
        if target is None:
            return
        if target not in targets:
            report(collection, slug, f"{owner} renvoie vers {what} « {target} », qui n'existe pas.",
                   about=(KINDS_OF[what], target))
        elif what == "le tutoriel" and not targets[target]["is_published"]:
            report(collection, slug, f"{owner} renvoie vers le tutoriel « {target} », qui n'est "
                                     "pas publié : publiez-le ou retirez le lien.")

    def check_url(collection, slug, owner, label, url):
        if not url:
            return
        try:
            _url_validator(url)
        except ValidationError:
            report(collection, slug, f"{owner} : le lien « {label} » n'est pas une adresse web "
                                     f"valide (« {url} »).")

    # The tree: a start, every question answered at least twice, every outcome complete.
    starts = [step for step in document["steps"] if step["is_start"]]
    if not document["steps"]:
        report("steps", "", "Le parcours guidé est vide : il faut au moins une question et "
                            "ses issues.")
    elif not starts:
        report("steps", "", "Aucune étape n'est marquée comme première question du parcours.")
    for step in starts[:1]:
        if step["kind"] != Step.Kind.QUESTION:
            report("steps", step["slug"], f"{name(step)} est la première étape : ce doit être "
                                          "une question.")
    for step in document["steps"]:
        owner, slug = name(step), step["slug"]
        if slug == "etape":  # /parcours/etape/… opens a step reached directly
            report("steps", slug, f"{owner} : l'adresse « etape » est réservée par le site, "
                                  "choisissez-en une autre.")
        if step["kind"] == Step.Kind.QUESTION:
            if not step["question"]:
                report("steps", slug, f"{owner} n'a pas de texte de question.")
            if len(step["answers"]) < 2:
                report("steps", slug, f"{owner} a {len(step['answers'])} réponse(s) : il en "
                                      "faut au moins deux, sinon le parcours s'y arrête.")
        else:
            if step["answers"]:
                report("steps", slug, f"{owner} est une issue mais a des réponses : seule une "
                                      "question en a.")
            if not step["outcome_type"]:
                report("steps", slug, f"{owner} n'indique pas ce qui se passe à cette issue.")
            if (step["outcome_type"] == Step.OutcomeType.CONTACT_SUPPORT
                    and not step["support_lines"]):
                report("steps", slug, f"{owner} renvoie vers l'assistance mais n'indique "
                                      "aucune ligne.")
            needs_link = (Step.OutcomeType.EXTERNAL_ACTION, Step.OutcomeType.PROCEDURE)
            if step["outcome_type"] in needs_link and not (step["action_url"]
                                                           or step["video_url"]):
                report("steps", slug, f"{owner} n'a pas de lien vers la démarche.")
        check_reference("steps", slug, owner, step["tutorial"], tutorials, "le tutoriel")
        for line in step["support_lines"]:
            check_reference("steps", slug, owner, line, lines, "la ligne")
        for problem in step["known_problems"]:
            check_reference("steps", slug, owner, problem, known, "le problème connu")
        for answer in step["answers"]:
            check_reference("steps", slug, f"{owner} (réponse « {answer['label']} »)",
                            answer["next_step"], steps, "l'étape")
        check_url("steps", slug, owner, "démarche", step["action_url"])
        check_url("steps", slug, owner, "vidéo", step["video_url"])

    edges = {step["slug"]: [a["next_step"] for a in step["answers"] if a["next_step"] in steps]
             for step in document["steps"]}
    if starts:
        reachable = _reachable(starts[0]["slug"], edges)
        for slug in sorted(steps.keys() - reachable):
            report("steps", slug, f"{name(steps[slug])} n'est atteinte par aucun chemin depuis "
                                  "la première question.")
    cycle = _find_cycle(edges)
    if cycle:
        report("steps", cycle[0], _cycle_in_words(cycle, steps, names))

    # Support lines: reachable by phone or e-mail, numbers that can be dialled.
    for line in document["support_lines"]:
        owner, slug = f"La ligne « {line['name']} »", line["slug"]
        if not line["phone"] and not line["email"]:
            report("support_lines", slug, f"{owner} n'a ni téléphone ni adresse e-mail.")
        if line["phone"] and not line["call_cost"].strip():
            # A number is never shown without what the call costs (0 8xx numbers differ).
            report("support_lines", slug, f"{owner} a un numéro mais pas de coût d'appel : "
                                          "indiquez-le (« Service gratuit + prix de l'appel », "
                                          "« 0,06 €/min + prix de l'appel », « Prix d'un appel "
                                          "vers un fixe »…).")
        if line["phone"]:
            try:
                validate_french_phone(line["phone"])
            except ValidationError:
                report("support_lines", slug, f"{owner} : le numéro « {line['phone']} » n'est "
                                              "pas un numéro français à 10 chiffres.")
        if line["email"]:
            try:
                validate_email(line["email"])
            except ValidationError:
                report("support_lines", slug, f"{owner} : l'adresse « {line['email']} » n'est "
                                              "pas une adresse e-mail valide.")
        check_url("support_lines", slug, owner, "FAQ", line["faq_url"])
    found += _line_conflicts(document, steps, lines, known, names)

    for tutorial in document["tutorials"]:
        owner, slug = f"Le tutoriel « {tutorial['title']} »", tutorial["slug"]
        check_reference("tutorials", slug, owner, tutorial["help_step"], steps, "l'étape")
        for line in tutorial["help_lines"]:
            check_reference("tutorials", slug, owner, line, lines, "la ligne")
        if tutorial["is_published"]:
            for other in tutorial["related"]:
                check_reference("tutorials", slug, owner, other, tutorials, "le tutoriel")
        check_url("tutorials", slug, owner, "vidéo", tutorial["video_url"])
        for n, step in enumerate(tutorial["steps"], start=1):
            if step["screenshot"] and not step["screenshot_alt"].strip():
                report("tutorials", slug, f"{owner}, étape {n} : la capture d'écran n'a pas de "
                                          "description pour les personnes qui ne la voient pas.")
            if step["screenshot"] and not SERVED_NAME.fullmatch(step["screenshot"]):
                report("tutorials", slug, f"{owner}, étape {n} : « {step['screenshot']} » "
                                          "n'est pas le nom d'une capture enregistrée par le "
                                          "site.")
            if step.get("illustration", "") not in {"", *ILLUSTRATIONS}:
                report("tutorials", slug, f"{owner}, étape {n} : le schéma "
                                          f"« {step['illustration']} » n'existe pas.")

    found += _plain_text_with_markdown(document)
    found += _contacts_in_prose(document)
    found += _retired_contacts(document)
    found += _offers_to_the_wrong_audience(document, tutorials, known, names)
    for line in document["support_lines"]:
        for field, label in (("name", "nom"), ("organisation", "organisme")):
            if "\n" in line[field] or "\r" in line[field]:
                # It becomes an e-mail's subject (« Contactez le … »): one line only.
                shown = " ".join(line["name"].split())
                report("support_lines", line["slug"], f"La ligne « {shown} », champ {label} :"
                       " écrivez-le sur une seule ligne.")

    for problem in document["known_problems"]:
        owner, slug = f"Le problème connu « {problem['symptom']} »", problem["slug"]
        check_reference("known_problems", slug, owner, problem["support_line"], lines,
                        "la ligne")
        check_reference("known_problems", slug, owner, problem["tutorial"], tutorials,
                        "le tutoriel")

    # What a team adds hangs on national objects: a national change that removes one of them
    # is refused here, the team named, until its editors take the addition off.
    for overlay in document.get("overlays", []):
        owner, slug = f"Ce qu'ajoute l'équipe « {overlay['slug']} »", overlay["slug"]
        for line in overlay["lines"]:
            check_reference("overlays", slug, owner, line, lines, "la ligne")
        for addition in overlay["steps"]:
            if addition["step"] not in steps:
                report("overlays", slug, f"{owner} porte sur l'étape « {addition['step']} »"
                       ", qui n'existe pas ou plus : ses éditeurs doivent d'abord retirer cet "
                       "ajout.")
            for line in addition["support_lines"]:
                check_reference("overlays", slug, owner, line, lines, "la ligne")
            if not addition["support_lines"]:
                report("overlays", slug, f"{owner} sur l'étape « {addition['step']} » "
                                         "n'indique aucune ligne.")
        for service in overlay["services"]:
            if service not in Tutorial.Service.values:
                report("overlays", slug, f"{owner} : le service « {service} » n'existe pas.")
    for collection in ("support_lines", "tutorials", "known_problems"):
        for item in document[collection]:
            team = item.get("team", "")
            if team and not SLUG.fullmatch(team):
                report(collection, item["slug"], f"« {team} » n'est pas un identifiant "
                                                 "d'équipe.")
    return found


def _line_conflicts(document, steps, lines, known, names) -> list[Problem]:
    """Two answers to one question: two lines for one service with different numbers, or a
    wizard outcome and one of its known problems sending people to different lines."""
    found = []
    by_service = defaultdict(list)
    for line in document["support_lines"]:
        for key in {_fold(line["name"]), line["email"].strip().lower()} - {""}:
            by_service[key].append(line)
    reported = set()
    for same in by_service.values():
        numbers = {phone_digits(line["phone"]) for line in same if line["phone"]}
        pair = tuple(sorted(line["slug"] for line in same))
        if len(numbers) > 1 and pair not in reported:
            reported.add(pair)
            names = " et ".join(f"« {line['name']} » ({line['phone']})" for line in same)
            found.append(Problem("support_lines", same[-1]["slug"],
                                 f"Les lignes {names} semblent être le même service avec des "
                                 "numéros différents : gardez-en une seule."))
    for step in document["steps"]:
        for slug in step["known_problems"]:
            problem = known.get(slug)
            if (problem and problem["support_line"] and step["support_lines"]
                    and problem["support_line"] not in step["support_lines"]):
                found.append(Problem(
                    "steps", step["slug"],
                    f"{names[step['slug']]} envoie vers "
                    f"{_line_names(step['support_lines'], lines)}, "
                    f"mais son problème connu « {problem['symptom']} » envoie vers "
                    f"{_line_names([problem['support_line']], lines)} : un même problème doit "
                    "mener à une seule ligne."))
    return found


def _plain_text_with_markdown(document) -> list[Problem]:
    found = []
    for collection, fields in PLAIN_FIELDS.items():
        for item in document.get(collection, []):
            texts = [(field, item[field]) for field in fields]
            if collection == "steps":
                texts += [("réponse", answer["label"]) for answer in item["answers"]]
            for field, text in texts:
                if text and MARKDOWN.search(text):
                    found.append(Problem(collection, item["slug"], (
                        f"« {item['slug']} », champ {field} : ce texte s'affiche tel quel, le "
                        f"Markdown (**, [lien](…), #, `) y apparaîtrait en clair : « {text} ».")))
    return found


# The buttons of the e-CPS app and of the portals, as their screens write them: a text names
# each one way, in bold, so that a visitor finds on the screen the words they read here.
APP_LABELS = [
    "Commencer l'activation", "Envoyer une demande d'activation", "J'ai un identifiant RPPS",
    "Envoyer ma demande d'activation", "Demander l'activation de la e-CPS",
    "Démarrer l'activation", "Recommencer l'activation", "Se connecter avec e-CPS",
    "Se connecter avec la carte CPS", "Tester ma e-CPS", "Supprimer ma e-CPS", "Par SMS",
    "S'authentifier", "Continuer", "Commencer",
]
EMPHASIS = re.compile(r"\*\*(?P<bold>[^*]+)\*\*|«\s*(?P<quoted>[^»]+?)\s*»")


def _folded(text: str) -> str:
    return " ".join(fold(text).replace("’", "'").split())


KNOWN_LABELS = {_folded(label): label for label in APP_LABELS}


def warnings(document: dict) -> list[Problem]:
    """What publication points out without refusing it: a button of the app written another
    way than its screen writes it (« SE CONNECTER AVEC E-CPS », « Tester ma e-CPS » in
    quotes), which a visitor then looks for in vain."""
    found = []
    for collection, item, field, text in prose_fields(document):
        if field in PLAIN_FIELDS.get(collection, []):
            continue  # plain text: quotes are its only way to name a button
        for match in EMPHASIS.finditer(text):
            written = match["bold"] or match["quoted"]
            label = KNOWN_LABELS.get(_folded(written))
            if label and (written != label or match["quoted"]):
                shown = (item.get("title") or item.get("question") or item.get("symptom")
                         or item.get("term") or item["slug"])
                found.append(Problem(collection, item["slug"], (
                    f"« {shown} », {field} : le bouton « {label} » est écrit "
                    f"{match.group(0)} ; écrivez-le comme l'application : **{label}**.")))
    return found


def prose_fields(document) -> list[tuple[str, dict, str, str]]:
    """(collection, item, field, text) of every text a visitor reads as prose."""
    fields = [(collection, item, field, item.get(field) or "")
              for collection, names in PLAIN_FIELDS.items() if collection != "support_lines"
              for item in document.get(collection, []) for field in names]
    fields += [("steps", item, "body", item["body"]) for item in document["steps"]]
    fields += [("known_problems", item, "fix", item["fix"])
               for item in document["known_problems"]]
    fields += [("tutorials", item, field, text) for item in document["tutorials"]
               for field, text in [("prerequisites", item["prerequisites"]), *(
                   (f"étape {n}", f"{step['body']} {step.get('warning', '')}")
                   for n, step in enumerate(item["steps"], start=1))]]
    return fields


def _contacts_in_prose(document) -> list[Problem]:
    """A support line's number or address typed in a text: shown there without its cost,
    and left behind when the line changes. The text cites the line instead, [[ligne:…]],
    which the site shows with its number and cost (kb.snapshot). A cited line must exist."""
    lines = {line["slug"]: line for line in document["support_lines"]}
    numbers = {phone_digits(line["phone"]): line for line in lines.values() if line["phone"]}
    addresses = {line["email"].lower(): line for line in lines.values() if line["email"]}
    found = []
    for collection, item, field, text in prose_fields(document):
        shown = (item.get("title") or item.get("question") or item.get("symptom")
                 or item.get("term") or item["slug"])
        where = f"« {shown} », {field}"
        digits = re.sub(r"[\s.]", "", text)
        for number, line in numbers.items():
            if number in digits:
                found.append(Problem(collection, item["slug"], (
                    f"{where} : le numéro de la ligne « {line['name']} » est écrit dans le "
                    f"texte. Écrivez [[ligne:{line['slug']}]] : le site l'affiche avec son "
                    "numéro et son coût, toujours à jour.")))
        for address, line in addresses.items():
            if address in text.lower():
                found.append(Problem(collection, item["slug"], (
                    f"{where} : l'adresse de la ligne « {line['name']} » est écrite dans le "
                    f"texte. Écrivez [[ligne:{line['slug']}]] à la place.")))
        for slug in LINE_REFERENCE.findall(text):
            if slug not in lines:
                found.append(Problem(collection, item["slug"], (
                    f"{where} : [[ligne:{slug}]] cite une ligne qui n'existe pas."),
                    ("support_lines", slug)))
    return found


def _offers_to_the_wrong_audience(document, tutorials, known, names) -> list[Problem]:
    """A page offering what some of its readers cannot use: the method B tutorial on a page
    read by ADELI professionals, a known problem that concerns none of its readers, or a
    line naming a method without saying who may use it (kb.audience)."""
    found = []
    for step in document["steps"]:
        readers = step.get("audience", "")
        where = names[step["slug"]]
        tutorial = tutorials.get(step["tutorial"])
        if tutorial and not audience.kinds(readers) <= audience.kinds(tutorial.get("audience")):
            found.append(Problem("steps", step["slug"], (
                f"{where}, pour {audience.label(readers)}, propose le tutoriel "
                f"« {tutorial['title']} », qui est pour "
                f"{audience.label(tutorial.get('audience'))} : une partie de ses lecteurs ne "
                "peut pas le suivre. Choisissez un tutoriel pour tous, ou précisez dans "
                "« Pour qui » à qui s'adresse l'étape.")))
        for slug in step["known_problems"]:
            problem = known.get(slug)
            if not problem:
                continue
            if not audience.kinds(readers) & audience.kinds(problem.get("audience")):
                found.append(Problem("steps", step["slug"], (
                    f"{where}, pour {audience.label(readers)}, liste le problème connu "
                    f"« {problem['symptom']} », qui est pour "
                    f"{audience.label(problem.get('audience'))} : il ne concerne aucun de ses "
                    "lecteurs. Retirez-le de l'étape.")))
                continue
            for method in (audience.Audience.RPPS, audience.Audience.CARD):
                if (not audience.kinds(readers) & audience.kinds(method)
                        and audience.mentions_method(problem["fix"], method)):
                    found.append(Problem("steps", step["slug"], (
                        f"{where}, pour {audience.label(readers)}, liste le problème connu "
                        f"« {problem['symptom']} », dont la solution propose une méthode "
                        f"qu'aucun de ses lecteurs ne peut utiliser (pour "
                        f"{audience.label(method)}).")))
    for problem in document["known_problems"]:
        tutorial = tutorials.get(problem["tutorial"])
        readers = problem.get("audience", "")
        if tutorial and not audience.kinds(readers) <= audience.kinds(tutorial.get("audience")):
            found.append(Problem("known_problems", problem["slug"], (
                f"Le problème connu « {problem['symptom']} », pour {audience.label(readers)}, "
                f"propose le tutoriel « {tutorial['title']} », qui est pour "
                f"{audience.label(tutorial.get('audience'))} : une partie de ses lecteurs ne "
                "peut pas le suivre.")))
    texts = [("steps", step, names[step["slug"]], step["body"]) for step in document["steps"]]
    texts += [("known_problems", problem, f"Le problème connu « {problem['symptom']} »",
               f"{problem['cause']}\n{problem['fix']}")
              for problem in document["known_problems"]]
    texts += [("tutorials", tutorial, f"Le tutoriel « {tutorial['title']} »", "\n".join(
        [tutorial["prerequisites"], *(f"{step['body']}\n{step.get('warning', '')}"
                                      for step in tutorial["steps"])]))
        for tutorial in document["tutorials"]]
    for collection, item, where, text in texts:
        readers = item.get("audience", "")
        for method, line in audience.unconditioned_offers(text, readers):
            condition = "un numéro RPPS" if method == "B" else "une carte CPx"
            found.append(Problem(collection, item["slug"], (
                f"{where}, pour {audience.label(readers)}, propose la méthode {method} sans "
                f"dire qu'elle demande {condition} : « {line} ». Dites-le dans la même "
                "phrase, ou choisissez dans « Pour qui » un public qui peut l'utiliser.")))
    return found


def _retired_contacts(document) -> list[Problem]:
    """A superseded number or e-mail domain offered as a line or as a link."""
    found = []
    for line in document["support_lines"]:
        domain = line["email"].rpartition("@")[2].lower()
        for label in (RETIRED_PHONES.get(phone_digits(line["phone"])),
                      RETIRED_EMAIL_DOMAINS.get(domain)):
            if label:
                found.append(Problem("support_lines", line["slug"],
                                     f"La ligne « {line['name']} » donne {label}."))
    html_fields = [("steps", item, item["body_html"]) for item in document["steps"]]
    html_fields += [("known_problems", item, item["fix_html"])
                    for item in document["known_problems"]]
    html_fields += [("tutorials", item, html) for item in document["tutorials"]
                    for html in [item["prerequisites_html"], *(
                        step[key] for step in item["steps"]
                        for key in ("body_html", "warning_html"))]]
    for collection, item, html in html_fields:
        for match in RETIRED_LINK.finditer(html or ""):
            label = (RETIRED_PHONES.get(phone_digits(match["tel"] or ""))
                     or RETIRED_EMAIL_DOMAINS.get((match["domain"] or "").lower()))
            if label:
                found.append(Problem(collection, item["slug"],
                                     f"« {item['slug']} » propose un lien vers {label}."))
    return found


def _line_names(slugs, lines) -> str:
    return ", ".join(f"« {lines[s]['name']} »" if s in lines else f"« {s} »" for s in slugs)


def _fold(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


KINDS_OF = {"le tutoriel": "tutorials", "la ligne": "support_lines",
            "le problème connu": "known_problems", "l'étape": "steps"}


def heading(step: dict) -> str:
    return step["title"] or step["question"] or step["slug"]


def step_names(document: dict) -> dict[str, str]:
    """Each step in an editor's words, by its title, never its slug: « La question « Que se
    passe-t-il ? » », « L'issue « … » ». Two steps with the same title (« Quel problème
    rencontrez-vous ? ») are told apart by the answer that leads to each."""
    steps = document["steps"]
    headings = {step["slug"]: heading(step) for step in steps}
    shared = {text for text in headings.values() if list(headings.values()).count(text) > 1}
    first_way_in = {}
    for step in steps:
        for answer in step["answers"]:
            first_way_in.setdefault(answer["next_step"], (answer["label"], headings[step["slug"]]))
    names = {}
    for step in steps:
        kind = "La question" if step["kind"] == Step.Kind.QUESTION else "L'issue"
        words = f"{kind} « {headings[step['slug']]} »"
        if headings[step["slug"]] in shared and step["slug"] in first_way_in:
            label, parent = first_way_in[step["slug"]]
            words += f" (après « {label} » de « {parent} »)"
        names[step["slug"]] = words
    return names


def _cycle_in_words(cycle: list[str], steps: dict, names: dict) -> str:
    """« La question « A » mène à elle-même par « x » », or « … mène par « x » à « B », qui
    mène par « y » à « A » »."""
    def label(source, target):
        return next(a["label"] for a in steps[source]["answers"] if a["next_step"] == target)

    if len(cycle) == 2:
        return (f"Le parcours tourne en rond : {names[cycle[0]]} mène à elle-même par "
                f"« {label(cycle[0], cycle[0])} ».")
    hops = [f"mène par « {label(a, b)} » à « {heading(steps[b])} »"
            for a, b in zip(cycle, cycle[1:], strict=False)]
    return f"Le parcours tourne en rond : {names[cycle[0]]} " + ", qui ".join(hops) + "."


def _reachable(start: str, edges: dict) -> set[str]:
    seen, queue = {start}, deque([start])
    while queue:
        for following in edges.get(queue.popleft(), []):
            if following not in seen:
                seen.add(following)
                queue.append(following)
    return seen


def _find_cycle(edges: dict) -> list[str] | None:
    """One cycle as a list of slugs (first repeated at the end), or None. Iterative, so a
    deep tree cannot exhaust Python's recursion limit."""
    state = {}  # absent: unseen, 1: on the current path, 2: done
    for root in sorted(edges):
        if root in state:
            continue
        path, iterators = [root], [iter(edges[root])]
        state[root] = 1
        while iterators:
            following = next(iterators[-1], None)
            if following is None:
                state[path.pop()] = 2
                iterators.pop()
            elif state.get(following) == 1:
                return [*path[path.index(following):], following]
            elif following not in state:
                state[following] = 1
                path.append(following)
                iterators.append(iter(edges[following]))
    return None
