"""The decision tree as a picture, drawn by the server: boxes in rows by depth (the longest
path that reaches them, so that every arrow points down), arrows labelled with the answers.
The same walk gives the nested lists that screen readers get. Pure functions of a
snapshot (the published version, or the draft for editors)."""

import textwrap
from dataclasses import dataclass, field

from kb.snapshot import Snapshot, Step, wizard_url

BOX_WIDTH, LINE_HEIGHT, PADDING = 190, 15, 8
COLUMN_GAP, ROW_GAP = 30, 130
CHARACTERS_PER_LINE = 27


@dataclass
class Box:
    step: Step
    url: str  # the wizard page of the step, by the shortest path
    x: float = 0
    y: float = 0
    lines: list[str] = field(default_factory=list)
    flagged: str = ""  # for editors: why the box stands out (a problem, a change)
    added: str = ""  # for editors: what regional teams add there (kb.models.Overlay)

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
    label: str
    points: list[tuple[float, float]]  # from the question's box to the answer's step
    along: float = 0.5  # where the label sits on the first segment, from 0 to 1

    @property
    def label_at(self) -> tuple[float, float]:
        (x1, y1), (x2, y2) = self.points[0], self.points[1]
        return (x1 + (x2 - x1) * self.along, y1 + (y2 - y1) * self.along)

    @property
    def svg_points(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in self.points)

    @property
    def label_lines(self) -> list[str]:
        return textwrap.wrap(self.label, 24)[:3]


@dataclass
class Picture:
    boxes: list[Box]
    arrows: list[Arrow]
    width: float
    height: float


def box_lines(step: Step) -> list[str]:
    lines = textwrap.wrap(step.heading, CHARACTERS_PER_LINE)[:4]
    for line in step.support_lines[:1]:
        lines.append(f"Tél. {line.phone}" if line.phone else line.email)
    return lines


def depths(content: Snapshot) -> dict[str, int]:
    """The longest path to each reachable step (Kahn's order over the reachable steps). A
    cycle, possible only in a preview of a broken draft, keeps its shortest depth."""
    paths = content.shortest_paths
    depth = {slug: len(path) for slug, path in paths.items()}
    incoming = dict.fromkeys(paths, 0)
    for slug in paths:
        for answer in content.steps[slug].answers:
            incoming[answer.next_step.slug] += 1
    ready = [slug for slug, count in incoming.items() if count == 0]
    while ready:
        slug = ready.pop()
        for answer in content.steps[slug].answers:
            child = answer.next_step.slug
            depth[child] = max(depth[child], depth[slug] + 1)
            incoming[child] -= 1
            if incoming[child] == 0:
                ready.append(child)
    return depth


def picture(content: Snapshot) -> Picture:
    """Rows by depth; within a row, under the boxes that lead to them (the mean position of
    their parents), which keeps arrows from crossing."""
    paths = content.shortest_paths
    depth = depths(content)
    rows: dict[int, list[Box]] = {}
    boxes: dict[str, Box] = {}
    for slug, path in paths.items():  # breadth first: the answers' order breaks ties
        box = Box(content.steps[slug], wizard_url(path), lines=box_lines(content.steps[slug]))
        boxes[slug] = box
        rows.setdefault(depth[slug], []).append(box)
    parents: dict[str, list[Box]] = {}
    for box in boxes.values():
        for answer in box.step.answers:
            parents.setdefault(answer.next_step.slug, []).append(box)
    widest = max((len(row) for row in rows.values()), default=0)
    width = max(widest * (BOX_WIDTH + COLUMN_GAP) - COLUMN_GAP, BOX_WIDTH) + 2 * PADDING
    y = PADDING

    def under_parents(box: Box) -> float:
        placed = [parent.x for parent in parents.get(box.step.slug, []) if parent.y < y]
        return sum(placed) / len(placed) if placed else 0

    for row_depth in sorted(rows):
        row = rows[row_depth]
        if row_depth:
            row.sort(key=under_parents)  # stable: the answers' order breaks ties
        row_width = len(row) * (BOX_WIDTH + COLUMN_GAP) - COLUMN_GAP
        x = (width - row_width) / 2
        for box in row:
            box.x, box.y = x, y
            x += BOX_WIDTH + COLUMN_GAP
        y += max(box.height for box in row) + ROW_GAP
    placed_rows = [rows[row_depth] for row_depth in sorted(rows)]
    return Picture(list(boxes.values()), arrows_between(boxes, placed_rows), width,
                   y - ROW_GAP + PADDING)


def arrows_between(boxes: dict[str, Box], rows: list[list[Box]]) -> list[Arrow]:
    """The answers of a box leave from points spread along its bottom edge, in the order of
    their targets from left to right (so they never cross each other), and their labels sit
    at staggered heights (so they never cover each other). An arrow that skips rows goes
    round the boxes of those rows, through the gap nearest its way: it never seems to pass
    through another step."""
    arrows = []
    for box in boxes.values():
        targets = sorted(((boxes[a.next_step.slug], a.label) for a in box.step.answers
                          if a.next_step.slug in boxes), key=lambda pair: pair[0].centre_x)
        for slot, (target, label) in enumerate(targets):
            along = 0.5 if len(targets) == 1 else 0.25 + 0.5 * slot / (len(targets) - 1)
            start = (box.x + BOX_WIDTH * (slot + 1) / (len(targets) + 1), box.y + box.height)
            end = (target.centre_x, target.y)
            arrows.append(Arrow(label, [start, *detour(start, end, rows), end], along))
    return arrows


def detour(start, end, rows: list[list[Box]]) -> list[tuple[float, float]]:
    points = []
    for row in rows:
        top, bottom = row[0].y, max(box.y + box.height for box in row)
        if not (start[1] < top and bottom < end[1]):
            continue  # not a row the arrow crosses
        from_x, from_y = points[-1] if points else start
        # Where the straight way would cross the row, and the free gaps of the row.
        x = from_x + (end[0] - from_x) * (top - from_y) / (end[1] - from_y)
        gaps = [row[0].x - COLUMN_GAP / 2] + [box.x + BOX_WIDTH + COLUMN_GAP / 2 for box in row]
        if any(box.x - COLUMN_GAP / 4 <= x <= box.x + BOX_WIDTH + COLUMN_GAP / 4
               for box in row):
            x = min(gaps, key=lambda gap: abs(gap - x))
            points += [(x, top - 12), (x, bottom + 12)]
    return points


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
