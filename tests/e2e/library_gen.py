"""Offline video library: NFO + empty .mkv trees that Kodi imports with ``metadata.local``.

The spec is plain data (titles, years, unique ids per item) so tests can cross-check what Kodi
reports against what was written, without scraping or network access. For playback, the videos
can be a real clip (``Media``, made with Debian's ``ffmpeg``) and a movie can be a ``.strm``
file pointing at a path or a URL, with a poster Kodi takes as its art.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

# Source folder name -> Kodi content type; anime sits in its own sources like many users have.
SOURCES: dict[str, str] = {
    "movies": "movies",
    "tv": "tvshows",
    "anime": "tvshows",
    "anime-movies": "movies",
}


@dataclass(frozen=True)
class EpisodeSpec:
    """One episode file; ``uniqueids`` may be empty."""

    season: int
    episode: int
    title: str
    aired: str
    uniqueids: dict[str, str] = field(default_factory=dict)
    default_id: str | None = None

    @property
    def stem(self) -> str:
        """File name without extension (S01E02 style so Kodi can also parse it)."""
        return f"S{self.season:02d}E{self.episode:02d} {self.title}"


@dataclass(frozen=True)
class MovieSpec:
    """One movie (plain or anime) in source ``source``; ``default_id`` None = no default."""

    title: str
    year: int
    uniqueids: dict[str, str]
    default_id: str | None
    source: str = "movies"
    anime: bool = False
    genres: tuple[str, ...] = ("Drama",)
    strm: str | None = None  # the movie is a .strm file holding this path or URL

    @property
    def imdbnumber(self) -> str:
        """What Kodi reports as ``imdbnumber``: the default uniqueid, "" when none is marked."""
        return self.uniqueids.get(self.default_id or "", "")

    @property
    def folder(self) -> str:
        """Folder and file stem, ``Title (Year)`` like a typical user library."""
        return f"{self.title} ({self.year})"


@dataclass(frozen=True)
class ShowSpec:
    """One TV show or anime series with its episodes."""

    title: str
    year: int
    uniqueids: dict[str, str]
    default_id: str | None
    episodes: tuple[EpisodeSpec, ...]
    source: str = "tv"
    anime: bool = False
    genres: tuple[str, ...] = ("Drama",)

    @property
    def imdbnumber(self) -> str:
        """What Kodi reports as ``imdbnumber``: the default uniqueid, "" when none is marked."""
        return self.uniqueids.get(self.default_id or "", "")


@dataclass
class LibrarySpec:
    """The whole library; all read-back helpers derive from these two lists."""

    movies: list[MovieSpec] = field(default_factory=list)
    shows: list[ShowSpec] = field(default_factory=list)

    @classmethod
    def standard(
        cls, movies: int = 6, shows: int = 3, anime_series: int = 3, anime_movies: int = 2
    ) -> LibrarySpec:
        """Deterministic mixed library covering the id combinations the sync must handle."""
        spec = cls()
        spec.movies += [_plain_movie(i) for i in range(1, movies + 1)]
        spec.movies += [_anime_movie(i) for i in range(1, anime_movies + 1)]
        spec.shows += [_plain_show(i) for i in range(1, shows + 1)]
        spec.shows += [_anime_show(i) for i in range(1, anime_series + 1)]
        return spec

    @property
    def episodes(self) -> list[tuple[ShowSpec, EpisodeSpec]]:
        """All (show, episode) pairs."""
        return [(s, e) for s in self.shows for e in s.episodes]

    def movie(self, title: str) -> MovieSpec:
        """Look a movie up by title."""
        return next(m for m in self.movies if m.title == title)

    def show(self, title: str) -> ShowSpec:
        """Look a show up by title."""
        return next(s for s in self.shows if s.title == title)

    def sources_used(self) -> dict[str, str]:
        """Source folder -> content type, only for sources that hold items."""
        names = {m.source for m in self.movies} | {s.source for s in self.shows}
        return {name: content for name, content in SOURCES.items() if name in names}

    def to_json(self) -> str:
        """Serialise for evidence files / debugging."""
        return json.dumps(asdict(self), indent=2, ensure_ascii=False)


def _plain_movie(i: int) -> MovieSpec:
    # Alternate the default id like NFO-imported (imdb) vs TMDb-scraped (tmdb) libraries do.
    title = "E2E Film Ümlaut" if i == 3 else f"E2E Movie {i:02d}"
    return MovieSpec(
        title=title,
        year=2000 + i,
        uniqueids={"imdb": f"tt90000{i:02d}", "tmdb": str(800000 + i)},
        default_id="imdb" if i % 2 else "tmdb",
    )


def _anime_movie(i: int) -> MovieSpec:
    """Odd: tmdb (default) + imdb. Even: tmdb + anidb with NO default marked (imdbnumber "")."""
    ids = {"tmdb": str(810000 + i)}
    if i % 2:
        ids["imdb"] = f"tt91000{i:02d}"
    else:
        ids["anidb"] = str(20000 + i)
    return MovieSpec(
        title=f"E2E Anime Movie {i:02d}",
        year=2015 + i,
        uniqueids=ids,
        default_id="tmdb" if i % 2 else None,
        source="anime-movies",
        anime=True,
        genres=("Animation", "Anime"),
    )


def _episodes(show_no: int, count: int, ids_for: dict[str, int]) -> tuple[EpisodeSpec, ...]:
    """2-3 episodes; a third one goes to season 2 so multi-season shows are covered."""
    numbers = [(1, 1), (1, 2), (2, 1)][:count]
    out = []
    for n, (season, episode) in enumerate(numbers, start=1):
        ids = {key: str(base + show_no * 100 + n) for key, base in ids_for.items()}
        default = next(iter(ids), None)
        out.append(
            EpisodeSpec(
                season, episode, f"Episode {n}", f"20{10 + show_no:02d}-0{n}-01", ids, default
            )
        )
    return tuple(out)


def _plain_show(i: int) -> ShowSpec:
    return ShowSpec(
        title=f"E2E Show {i:02d}",
        year=2010 + i,
        uniqueids={"tvdb": str(700000 + i), "tmdb": str(600000 + i), "imdb": f"tt80000{i:02d}"},
        default_id="tvdb",
        episodes=_episodes(i, 2 + i % 2, {"tvdb": 7100000, "tmdb": 6100000}),
    )


def _anime_show(i: int) -> ShowSpec:
    """Variants: tvdb+tmdb+anidb, anidb only, tmdb+anidb (cycled)."""
    variant = (i - 1) % 3
    anidb = str(10000 + i)
    if variant == 0:
        ids = {"tvdb": str(720000 + i), "tmdb": str(620000 + i), "anidb": anidb}
        default, ep_ids = "tvdb", {"tvdb": 7200000, "tmdb": 6200000}
    elif variant == 1:
        ids, default, ep_ids = {"anidb": anidb}, "anidb", {"anidb": 1100000}
    else:
        ids = {"tmdb": str(620000 + i), "anidb": anidb}
        default, ep_ids = "tmdb", {"tmdb": 6200000}
    return ShowSpec(
        title=f"E2E Anime Series {i:02d}",
        year=2015 + i,
        uniqueids=ids,
        default_id=default,
        episodes=_episodes(50 + i, 2 + i % 2, ep_ids),
        source="anime",
        anime=True,
        genres=("Animation", "Anime"),
    )


# -- real media ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Media:
    """What the video files hold: a real clip (hard-linked into place) and a poster for movies;
    without them the files are empty and Kodi cannot play them."""

    clip: Path | None = None
    poster: Path | None = None

    def place(self, video: Path) -> None:
        """Put the clip at ``video`` (an empty file without one)."""
        if self.clip is None:
            video.touch()
            return
        try:
            os.link(self.clip, video)
        except OSError:  # another file system
            shutil.copyfile(self.clip, video)


FFMPEG = "ffmpeg"


def make_clip(path: Path, seconds: int = 10) -> Path:
    """A ``seconds`` long H.264 clip of ffmpeg's ``testsrc`` pattern with silent AAC audio, a
    keyframe every second (so a seek lands where asked), in Matroska; made once per path."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        _ffmpeg(
            "-f", "lavfi", "-i", f"testsrc=size=320x240:rate=25:duration={seconds}",
            "-f", "lavfi", "-i", "anullsrc=r=48000:cl=stereo", "-t", str(seconds),
            "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-shortest", str(path),
        )  # fmt: skip
    return path


def make_poster(path: Path) -> Path:
    """A 2:3 poster (one frame of ffmpeg's ``testsrc2`` pattern) as JPEG."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        _ffmpeg("-f", "lavfi", "-i", "testsrc2=size=400x600", "-frames:v", "1", str(path))
    return path


def _ffmpeg(*args: str) -> None:
    if shutil.which(FFMPEG) is None:
        raise FileNotFoundError("real clips need ffmpeg (apt-get install ffmpeg)")
    subprocess.run(
        [FFMPEG, "-hide_banner", "-loglevel", "error", "-y", *args],
        check=True,
        capture_output=True,
        timeout=120,
    )


# -- writing the tree -----------------------------------------------------------------------
def _add_ids(root: ET.Element, ids: dict[str, str], default: str | None) -> None:
    for key, value in ids.items():
        el = ET.SubElement(root, "uniqueid", type=key)
        if key == default:
            el.set("default", "true")
        el.text = value


def _write_xml(root: ET.Element, path: Path) -> None:
    ET.indent(root)
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        + ET.tostring(root, encoding="unicode")
        + "\n",
        encoding="utf-8",
    )


def _text(parent: ET.Element, tag: str, value: object) -> None:
    ET.SubElement(parent, tag).text = str(value)


def write_movie(movie: MovieSpec, source_dir: Path, media: Media = Media()) -> Path:
    """Write ``Title (Year)/Title (Year).{mkv,nfo}`` (``.strm`` for a stream, with the poster
    beside it when ``media`` has one); return the video path."""
    folder = source_dir / movie.folder
    folder.mkdir(parents=True, exist_ok=True)
    root = ET.Element("movie")
    _text(root, "title", movie.title)
    _text(root, "year", movie.year)
    _text(root, "premiered", f"{movie.year}-01-01")
    for genre in movie.genres:
        _text(root, "genre", genre)
    _add_ids(root, movie.uniqueids, movie.default_id)
    _write_xml(root, folder / f"{movie.folder}.nfo")
    if media.poster is not None:  # <video name>-poster.jpg: local art Kodi always looks for
        shutil.copyfile(media.poster, folder / f"{movie.folder}-poster.jpg")
    if movie.strm is not None:
        video = folder / f"{movie.folder}.strm"
        video.write_text(movie.strm + "\n", encoding="utf-8")
        return video
    video = folder / f"{movie.folder}.mkv"
    media.place(video)
    return video


def write_show(show: ShowSpec, source_dir: Path, media: Media = Media()) -> Path:
    """Write ``tvshow.nfo`` plus ``Season NN/SxxEyy ….{mkv,nfo}``; return the show folder."""
    folder = source_dir / show.title
    folder.mkdir(parents=True, exist_ok=True)
    root = ET.Element("tvshow")
    _text(root, "title", show.title)
    _text(root, "year", show.year)
    _text(root, "premiered", f"{show.year}-01-01")
    for genre in show.genres:
        _text(root, "genre", genre)
    _add_ids(root, show.uniqueids, show.default_id)
    _write_xml(root, folder / "tvshow.nfo")
    if media.poster is not None:
        shutil.copyfile(media.poster, folder / "poster.jpg")
    for ep in show.episodes:
        season_dir = folder / f"Season {ep.season:02d}"
        season_dir.mkdir(exist_ok=True)
        ep_root = ET.Element("episodedetails")
        _text(ep_root, "title", ep.title)
        _text(ep_root, "showtitle", show.title)
        _text(ep_root, "season", ep.season)
        _text(ep_root, "episode", ep.episode)
        _text(ep_root, "aired", ep.aired)
        _add_ids(ep_root, ep.uniqueids, ep.default_id)
        _write_xml(ep_root, season_dir / f"{ep.stem}.nfo")
        media.place(season_dir / f"{ep.stem}.mkv")
    return folder


def write_media_tree(
    spec: LibrarySpec, media_root: Path, media: Media = Media()
) -> dict[Path, str]:
    """Write every item; return source directory -> Kodi content type."""
    sources = {media_root / name: content for name, content in spec.sources_used().items()}
    for directory in sources:
        directory.mkdir(parents=True, exist_ok=True)
    for movie in spec.movies:
        write_movie(movie, media_root / movie.source, media)
    for show in spec.shows:
        write_show(show, media_root / show.source, media)
    (media_root / "library-spec.json").write_text(spec.to_json(), encoding="utf-8")
    return sources


def kodi_dir(path: Path) -> str:
    """Kodi stores directory paths with a trailing slash."""
    return str(path).rstrip("/") + "/"


# Kodi's ``path`` columns that 'Set content' fills for a source (same in SQLite and MySQL).
PATH_COLUMNS = (
    "strPath", "strContent", "strScraper", "scanRecursive", "useFolderNames", "strSettings",
    "noUpdate", "exclude", "allAudio", "dateAdded",
)  # fmt: skip


@dataclass(frozen=True)
class PathRow:
    """One source registered as a ``metadata.local`` content path (what 'Set content' does),
    so a scan imports the NFO tree without a scraper; any database writer can insert it."""

    path: str
    content: str
    recursive: int

    def values(self, date_added: str) -> tuple[str | int, ...]:
        """The row in ``PATH_COLUMNS`` order."""
        return (self.path, self.content, "metadata.local", self.recursive, 0, "", 0, 0, 0,
                date_added)  # fmt: skip


def path_rows(sources: dict[Path, str]) -> list[PathRow]:
    """Source folder -> content type as path rows (movie sources are scanned recursively)."""
    return [
        PathRow(kodi_dir(directory), content, 2147483647 if content == "movies" else 0)
        for directory, content in sources.items()
    ]


def now_text() -> str:
    """UTC now as Kodi writes ``dateAdded`` (``YYYY-MM-DD HH:MM:SS``)."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def insert_path_rows(db_path: Path, sources: dict[Path, str]) -> None:
    """Register each source in Kodi's own SQLite video DB (see ``PathRow``)."""
    columns = ", ".join(PATH_COLUMNS)
    marks = ", ".join("?" * len(PATH_COLUMNS))
    with sqlite3.connect(db_path, timeout=10) as conn:
        for row in path_rows(sources):
            conn.execute("DELETE FROM path WHERE strPath = ?", (row.path,))
            conn.execute(f"INSERT INTO path ({columns}) VALUES ({marks})", row.values(now_text()))
    conn.close()


def write_sources_xml(userdata: Path, sources: dict[Path, str]) -> None:
    """Optional ``sources.xml`` so the GUI and ``Files.GetSources`` see the sources too."""
    root = ET.Element("sources")
    video = ET.SubElement(root, "video")
    ET.SubElement(video, "default", pathversion="1")
    for directory in sources:
        src = ET.SubElement(video, "source")
        _text(src, "name", directory.name)
        ET.SubElement(src, "path", pathversion="1").text = kodi_dir(directory)
        _text(src, "allowsharing", "true")
    _write_xml(root, userdata / "sources.xml")
