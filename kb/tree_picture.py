"""The decision tree as a picture, drawn by the server, laid out by Graphviz's `dot` (the
library that the pygraphviz wheel carries, called in-process: no program to install). Each
answer is a small box of its own on the arrow from its question to its step, so that dot
places it like any box: no label under another arrow, no arrowhead on a label, and dot keeps
crossings to the fewest it can find (free to order a question's answers for that). The same
walk gives the nested lists that screen readers get. Pure functions of a snapshot (the
published version, or the draft for editors)."""

import textwrap
from dataclasses import dataclass, field
from functools import lru_cache

import pygraphviz

from kb.snapshot import Snapshot, Step, wizard_url

BOX_WIDTH, LINE_HEIGHT, PADDING = 190, 15, 8
CHARACTERS_PER_LINE = 27
LABEL_CHARACTERS, LABEL_LINE_HEIGHT, LABEL_CHARACTER_WIDTH = 24, 12, 6.2
MARGIN = 8


@dataclass
class Box:
    step: Step
    url: str  # the wizard page of the step, by the shortest path
    x: float = 0
    y: float = 0
    lines: list[str] = field(default_factory=list)
    flagged: str = ""  # for editors: why the box stands out (a problem, a change)
    state: str = ""  # for editors: "to-fix", "new" or "changed" (each drawn its own way)
    added: str = ""  # for editors: what regional teams add there (kb.models.Overlay)

    @property
    def width(self) -> float:
        return BOX_WIDTH

    @property
    def height(self) -> float:
        return len(self.lines) * LINE_HEIGHT + 2 * PADDING

    @property
    def kind(self) -> str:
        """question, success, support (a line to call), or procedure (anything else)."""
        if self.step.is_question:
            return "question"
        if self.step.is_success:
            return "success"
        return "support" if self.step.support_lines else "procedure"

    @property
    def text_lines(self) -> list[tuple[float, str]]:
        return [(self.y + PADDING + (index + 0.8) * LINE_HEIGHT, line)
                for index, line in enumerate(self.lines)]

    @property
    def centre_x(self) -> float:
        return self.x + BOX_WIDTH / 2


@dataclass
class Arrow:
    """An answer: from its question's box to its label, then on to the step it leads to."""

    label: str
    to_label: list[tuple[float, float]]  # cubic Bézier points, as dot routed them
    from_label: list[tuple[float, float]]
    label_box: tuple[float, float, float, float]  # x, y, width, height

    @property
    def label_lines(self) -> list[str]:
        return label_lines(self.label)

    @property
    def text_lines(self) -> list[tuple[float, float, str]]:
        x, y, width, height = self.label_box
        top = y + (height - len(self.label_lines) * LABEL_LINE_HEIGHT) / 2
        return [(x + width / 2, top + (index + 0.8) * LABEL_LINE_HEIGHT, line)
                for index, line in enumerate(self.label_lines)]

    @property
    def svg_paths(self) -> tuple[str, str]:
        return svg_path(self.to_label), svg_path(self.from_label)

    def polylines(self) -> list[list[tuple[float, float]]]:
        """Both curves as short straight segments (for the tests that measure the drawing)."""
        return [flatten(self.to_label), flatten(self.from_label)]


@dataclass
class Picture:
    boxes: list[Box]
    arrows: list[Arrow]
    width: float
    height: float


def box_lines(step: Step) -> list[str]:
    lines = textwrap.wrap(step.heading, CHARACTERS_PER_LINE)[:4]
    for line in step.support_lines[:1]:
        if line.phone:  # a number always with its cost
            lines.append(f"Tél. {line.phone}")
            lines += textwrap.wrap(line.call_cost, CHARACTERS_PER_LINE)[:2]
        else:
            lines.append(line.email)
    return lines


def label_lines(label: str) -> list[str]:
    return textwrap.wrap(label, LABEL_CHARACTERS)[:3]


def label_size(label: str) -> tuple[float, float]:
    lines = label_lines(label) or [""]
    width = max(len(line) for line in lines) * LABEL_CHARACTER_WIDTH + 10
    return width, len(lines) * LABEL_LINE_HEIGHT + 6


def svg_path(points: list[tuple[float, float]]) -> str:
    first, rest = points[0], points[1:]
    curves = " ".join(f"C {rest[i][0]:.1f},{rest[i][1]:.1f} {rest[i + 1][0]:.1f},"
                      f"{rest[i + 1][1]:.1f} {rest[i + 2][0]:.1f},{rest[i + 2][1]:.1f}"
                      for i in range(0, len(rest) - 2, 3))
    return f"M {first[0]:.1f},{first[1]:.1f} {curves}"


def flatten(points: list[tuple[float, float]], steps: int = 16) -> list[tuple[float, float]]:
    flat = [points[0]]
    for i in range(0, len(points) - 3, 3):
        p0, p1, p2, p3 = points[i:i + 4]
        for n in range(1, steps + 1):
            t = n / steps
            a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t ** 2, t ** 3
            flat.append((a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0],
                         a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1]))
    return flat


def picture(content: Snapshot) -> Picture:
    """Every step reachable from the first question, and every answer between them."""
    paths = content.shortest_paths
    # Each box opens its step as reached directly: the overview answers no question for
    # the visitor (the first question opens the wizard itself).
    boxes = {slug: Box(content.steps[slug],
                       wizard_url(()) if not path else
                       content.steps[slug].direct_url + "?via=vue-d-ensemble",
                       lines=box_lines(content.steps[slug]))
             for slug, path in paths.items()}  # breadth first
    answers = [(box.step.slug, answer.label, answer.next_step.slug)
               for box in boxes.values() for answer in box.step.answers
               if answer.next_step.slug in boxes]
    if not boxes:
        return Picture([], [], BOX_WIDTH + 2 * MARGIN, 2 * MARGIN)
    layout = _layout(tuple((slug, box.height) for slug, box in boxes.items()),
                     tuple(answers))
    for slug, box in boxes.items():
        box.x, box.y = layout.positions[slug]
    arrows = [Arrow(label, *layout.edges[n]) for n, (_, label, _) in enumerate(answers)]
    return Picture(list(boxes.values()), arrows, layout.width, layout.height)


@dataclass(frozen=True)
class _Layout:
    positions: dict
    edges: list
    width: float
    height: float


@lru_cache(maxsize=16)
def _layout(boxes: tuple, answers: tuple) -> _Layout:
    """dot's placement of the boxes and answers (top-left corners, in pixels, y down), kept
    for the last few trees drawn: a version is drawn once per process."""
    graph = pygraphviz.AGraph(directed=True, strict=False)
    graph.graph_attr.update(rankdir="TB", nodesep="0.3", ranksep="0.35", splines="spline",
                            margin="0")
    graph.node_attr.update(shape="box", fixedsize="true", label="")
    graph.edge_attr.update(arrowhead="none")
    for slug, height in boxes:
        graph.add_node(f"s:{slug}", width=BOX_WIDTH / 72, height=height / 72)
    for n, (source, label, target) in enumerate(answers):
        width, height = label_size(label)
        graph.add_node(f"a:{n}", width=width / 72, height=height / 72)
        graph.add_edge(f"s:{source}", f"a:{n}")
        graph.add_edge(f"a:{n}", f"s:{target}")
    graph.layout(prog="dot")
    _, _, right, top = (float(v) for v in graph.graph_attr["bb"].split(","))

    def point(text: str) -> tuple[float, float]:
        x, y = (float(v) for v in text.split(","))
        return x + MARGIN, top - y + MARGIN

    def corner(name: str, width: float, height: float) -> tuple[float, float]:
        x, y = point(graph.get_node(name).attr["pos"])
        return x - width / 2, y - height / 2

    def curve(source: str, target: str) -> list[tuple[float, float]]:
        pos = graph.get_edge(source, target).attr["pos"]
        return [point(p) for p in pos.split() if not p.startswith(("e,", "s,"))]

    positions = {slug: corner(f"s:{slug}", BOX_WIDTH, height) for slug, height in boxes}
    edges = []
    for n, (source, label, target) in enumerate(answers):
        width, height = label_size(label)
        x, y = corner(f"a:{n}", width, height)
        edges.append((curve(f"s:{source}", f"a:{n}"), curve(f"a:{n}", f"s:{target}"),
                      (x, y, width, height)))
    return _Layout(positions, edges, right + 2 * MARGIN, top + 2 * MARGIN)


@dataclass
class Branch:
    """One entry of the nested lists: an answer (None at the root) and where it leads. A step
    reached again is named with its link, not repeated."""

    answer: str | None
    box: Box
    children: list["Branch"]
    seen_before: bool = False


def outline(content: Snapshot, drawn: Picture) -> Branch | None:
    if content.start is None:
        return None
    boxes = {box.step.slug: box for box in drawn.boxes}
    seen: set[str] = set()

    def branch(answer: str | None, step: Step) -> Branch:
        if step.slug in seen:
            return Branch(answer, boxes[step.slug], [], seen_before=True)
        seen.add(step.slug)
        return Branch(answer, boxes[step.slug],
                      [branch(a.label, a.next_step) for a in step.answers])

    return branch(None, content.start)
