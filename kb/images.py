"""Tutorial screenshots. What an editor uploads is stored as WebP files at the widths phones
need, through Django's default storage (local files, or an object store in production: see
the README), under names made from the upload's digest: the same image is stored once, and a
name never changes its content, so browsers may keep it for a year."""

import hashlib
import io
import re
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

# A phone's content column is about 330 CSS pixels: 360, 720 and 1080 serve it at density
# 1, 2 and 3; 1440 serves the computer's 46rem column on a sharp screen. Larger uploads are
# reduced to 1440; smaller ones are never enlarged.
WIDTHS = (360, 720, 1080, 1440)
# What the page asks the browser to choose from (main is at most 48rem wide).
SIZES = "(min-width: 50rem) 46rem, calc(100vw - 2.5rem)"
MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 4K screen is 8.3 million: more is a mistake, or an attack
QUALITY = 82  # text in screenshots stays sharp; a 720-pixel phone screen weighs ~40 kB
READABLE = {"PNG", "JPEG", "WEBP", "GIF"}
# Any file a tutorial may show: those of kb.images, and uploads stored before it.
SERVED_NAME = re.compile(r"tutoriels/[A-Za-z0-9_-]{1,100}\.(webp|png|jpe?g|gif)")
STORED_NAME = re.compile(r"tutoriels/(?P<digest>[0-9a-f]{16})-(?P<width>[0-9]{2,4})\.webp")


class ScreenshotError(ValueError):
    """An upload that is not a usable image; the message is French, for the editor."""


@dataclass(frozen=True)
class StoredScreenshot:
    name: str  # the largest file; the others differ by their width (file_name)
    width: int
    height: int


def widths_for(width: int) -> list[int]:
    """The widths stored for a screenshot whose largest file is `width` pixels wide (one
    close below it would cost a file for nothing)."""
    return [w for w in WIDTHS if w < width * 0.9] + [width]


def file_name(digest: str, width: int) -> str:
    return f"tutoriels/{digest}-{width}.webp"


def variants(name: str, width: int) -> list[tuple[str, int]]:
    """(file name, width) of every stored size, smallest first; none for a file stored
    before screenshots were resized (it is served as it is)."""
    stored = STORED_NAME.fullmatch(name)
    if not width or not stored:
        return []
    return [(file_name(stored["digest"], w), w) for w in widths_for(width)]


def url(name: str) -> str:
    return reverse("kb:media", args=[name])


def src(name: str, width: int, *, at_least: int) -> str:
    """The address of the smallest stored size at least `at_least` wide (else the largest):
    for browsers that ignore srcset, and for the editors' small preview."""
    sizes = variants(name, width)
    return url(next((file for file, w in sizes if w >= at_least), name))


def srcset(name: str, width: int) -> str:
    return ", ".join(f"{url(file)} {w}w" for file, w in variants(name, width))


def stored_files(document: dict) -> list[tuple[str, str]]:
    """(file name, its place in the document) of every screenshot file a document shows."""
    return [
        (file, f"tutorials[{i}].steps[{j}].screenshot")
        for i, tutorial in enumerate(document.get("tutorials", []))
        for j, step in enumerate(tutorial.get("steps", []))
        if step.get("screenshot")
        for file, _width in (variants(step["screenshot"], step.get("screenshot_width", 0))
                             or [(step["screenshot"], 0)])
    ]


def decode(file) -> Image.Image:
    """The upload as a loaded image, or ScreenshotError saying why not."""
    if file.size > MAX_BYTES:
        raise ScreenshotError(_("Cette image dépasse 10 Mo : enregistrez-la en PNG ou en JPEG, "
                                "ou réduisez-la, puis envoyez-la de nouveau."))
    file.seek(0)
    try:
        image = Image.open(file)
        if image.format not in READABLE:
            raise ScreenshotError(_("Envoyez une image PNG, JPEG, WebP ou GIF."))
        if image.width * image.height > MAX_PIXELS:
            raise ScreenshotError(_("Cette image est trop grande (plus de 40 millions de "
                                    "pixels) : une capture d'écran suffit."))
        image.load()
    except ScreenshotError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError,
            SyntaxError):
        raise ScreenshotError(_("Ce fichier n'est pas une image lisible : envoyez une "
                                "capture d'écran PNG, JPEG, WebP ou GIF.")) from None
    finally:
        file.seek(0)
    return image


def store_screenshot(file) -> StoredScreenshot:
    """Write the upload at every width in WebP, upright and without its metadata (a phone's
    photo may carry where and when it was taken), and return the largest file."""
    digest = hashlib.sha256(file.read()).hexdigest()[:16]
    image = ImageOps.exif_transpose(decode(file))
    image = image.convert("RGBA" if image.has_transparency_data else "RGB")
    largest = min(image.width, WIDTHS[-1])
    for width in widths_for(largest):
        name = file_name(digest, width)
        if not default_storage.exists(name):
            resized = image if width == image.width else image.resize(
                (width, height_at(image, width)), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            resized.save(out, "WEBP", quality=QUALITY)
            default_storage.save(name, ContentFile(out.getvalue()))
    return StoredScreenshot(name=file_name(digest, largest), width=largest,
                            height=height_at(image, largest))


def height_at(image: Image.Image, width: int) -> int:
    return max(1, round(image.height * width / image.width))


def is_image(data: bytes) -> bool:
    """Whether bytes from an imported archive are an image a page may show."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            return image.format in READABLE
    except Exception:  # Pillow raises many kinds for a forged file; all mean « no »
        return False
