"""Near-duplicates: are reposts of a story clustered with it, and look-alikes kept apart?

    python benchmarks/dedup.py                       # 400 stories (+ templates), ~30 s
    python benchmarks/dedup.py --stories 600 --json benchmarks/out/dedup.json

Builds, seeded and deterministic, a corpus in ``benchmarks/out/dedup/dumps/``:

- **originals**: ``--stories`` xwlb stories (all stories of randomly drawn broadcast days,
  so stories of one day, with the same ``央视网消息（新闻联播）：`` opening and the same
  ``【…】`` title prefixes, sit side by side), plus every member of the ``--templates``
  most alike *template families* of the whole corpus: different stories whose titles are the
  same once numbers are masked (``本台明天将直播十四届全国人大#次会议开幕会``,
  ``国家主席习近平将发表#年新年贺词``, ``李强举行仪式欢迎某国总理访华``), one JSON Lines
  dump as ``xwlb.py`` writes it;
- **reposts** of some of them on made-up sites (``--sites``, each its own chrome: header,
  nav, breadcrumbs, a ``来源：… 发布时间：…`` line, share/print tools, copyright, ICP, contact
  and editor lines), as plain-text pages (one file a page), HTML pages and JSON Lines
  records (``text`` with the page's chrome, or ``html``), each altered in one way (a kind):
  ``verbatim``; ``wrapped`` (every line of the page hard-wrapped at the site's width, 36–40
  display columns, CJK counting 2, as ``lynx -dump`` / ``pdftotext`` do, paragraphs apart
  by a blank line; text pages and ``text`` records only); ``indented`` (every
  paragraph opens with ``\\u3000\\u3000``); ``dropped`` (one paragraph other than the first,
  at most a fifth of the text, left out); ``added`` (a paragraph of another story, at most a
  fifth of the text, put in); ``typos`` (2–4 characters replaced by other characters of the
  story); and combinations of these.

It indexes the dumps with searcher (``Engine.index``, the same run as ``searcher index DIR
--rebuild``), reads every copy back (``Engine.export(all_copies=True)``: each article's
cluster), and scores "same cluster" pairwise against the truth: two documents are copies
when they come from the same story (or from stories whose texts are the same after NFKC and
whitespace removal). Precision = clustered pairs that are copies / clustered pairs; recall =
copy pairs clustered / copy pairs; a page that gives several articles (a 国内联播快讯
compilation) is with another when any of their articles share a cluster. Printed: recall,
and precision of the clustered pairs involving a kind, per kind of alteration and overall;
false merges per kind of look-alike (the first that holds: same template family, same title
opening (6 characters, numbers masked), same ``【…】`` prefix, same day, same made-up site,
other); and why copy pairs were missed, as ``searcher.dedup`` judges the two articles: the
page gave no article; ``cleaning`` (the bodies as written would be near copies, the cleaned
articles are not: the cleaner dropped or kept lines); a number differs; not alike enough;
the LSH bands never met; ``dated a year apart`` (near by their texts, but not exact copies
and dated, as indexed, a year or more apart: ``searcher.dedup.YEAR_APART``); or the pair is
near but one joined another cluster (which it did not merge with: its members conflict).
``--json FILE`` keeps the figures, every document with its clusters and dates, every missed
pair and every false merge.

Reposts carry the story's date, as a repost's ``发布时间`` and a crawl's ``date`` do (the
same day); the indexed articles' dates are what the cleaner reads from the pages.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import html
import itertools
import json
import random
import re
import shutil
import sys
import time
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "out" / "dedup"
sys.path.insert(0, str(HERE))

import xwlb  # noqa: E402

KINDS = (
    "verbatim",
    "wrapped",
    "indented",
    "dropped",
    "added",
    "typos",
    "indented+typos",
    "dropped+typos",
    "added+dropped",
    "wrapped+indented",
    "wrapped+typos",
    "wrapped+dropped+typos",
)

#: Numbers in titles, masked to find template families.
_NUMBER_RE = re.compile(r"[0-9０-９〇零一二两三四五六七八九十百千万]+")
_PREFIX_RE = re.compile(r"^【[^】]+】")
_CJK_RE = re.compile(r"[\u4e00-\u9fff]")
_OPENING = "央视网消息（新闻联播）："


def log(message: str) -> None:
    print(f"[dedup {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def norm_key(text: str) -> str:
    """Identity of a story's text: NFKC, case folded, whitespace removed."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).casefold())
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


# --------------------------------------------------------------------------- stories


def load_stories() -> list[dict[str, str]]:
    return list(xwlb.stories(xwlb.unpack()))


def template_families(stories: list[dict[str, str]], count: int) -> list[list[int]]:
    """The ``count`` families of different stories with the same title once numbers are
    masked, the most alike (highest 5-gram Jaccard of two different texts) first."""
    from searcher.dedup import jaccard, shingles

    groups: dict[str, list[int]] = collections.defaultdict(list)
    for i, story in enumerate(stories):
        if story["title"]:
            groups[_NUMBER_RE.sub("#", story["title"])].append(i)
    ranked = []
    for key, members in groups.items():
        if not 2 <= len(members) <= 40:  # a title of its own, or generic (国内联播快讯)
            continue
        texts = [re.sub(r"\s+", "", stories[i]["text"]) for i in members]
        if len(set(texts)) < 2:
            continue
        sets = [shingles(text) for text in texts]
        best = max(
            jaccard(sets[a], sets[b])
            for a, b in itertools.combinations(range(len(members)), 2)
            if texts[a] != texts[b]
        )
        ranked.append((-best, key, members))
    ranked.sort()
    return [members for _, _, members in ranked[:count]]


def sample(stories: list[dict[str, str]], n: int, templates: int, seed: int) -> list[int]:
    """Indexes of the sampled stories: whole days drawn at random until ``n`` stories, then
    the template families' members."""
    rng = random.Random(seed)
    days: dict[str, list[int]] = collections.defaultdict(list)
    for i, story in enumerate(stories):
        days[story["date"]].append(i)
    order = sorted(days)
    rng.shuffle(order)
    chosen: list[int] = []
    for day in order:
        if len(chosen) >= n:
            break
        chosen.extend(days[day][: n - len(chosen)])
    have = set(chosen)
    for family in template_families(stories, templates):
        chosen.extend(i for i in family if i not in have)
        have.update(family)
    return sorted(chosen)


# --------------------------------------------------------------------------- alterations


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def hard_wrap(paragraph: str, columns: int) -> list[str]:
    """``paragraph`` broken into lines of at most ``columns`` display columns (CJK = 2),
    breaking anywhere between CJK characters and at spaces in runs of Latin text."""
    lines: list[str] = []
    line = ""
    for token in re.findall(r"[A-Za-z0-9.%+-]+|\s+|.", paragraph):
        if line and width(line + token) > columns:
            lines.append(line.rstrip())
            line = token.lstrip()
        else:
            line += token
    if line.strip():
        lines.append(line.rstrip())
    return lines


def typo(paragraphs: list[str], rng: random.Random) -> list[str]:
    """2–4 CJK characters (after the opening formula) replaced by other CJK characters of
    the story."""
    text = "\n".join(paragraphs)
    pool = sorted({c for c in text if _CJK_RE.match(c)})
    spots = [i for i, c in enumerate(text) if _CJK_RE.match(c) and i >= len(_OPENING)]
    chars = list(text)
    for i in rng.sample(spots, min(len(spots), rng.randint(2, 4))):
        chars[i] = rng.choice([c for c in pool if c != chars[i]] or ["的"])
    return "".join(chars).split("\n")


def applicable(kind: str, paragraphs: list[str]) -> bool:
    total = sum(len(p) for p in paragraphs)
    if "dropped" in kind and not droppable(paragraphs):
        return False
    return not ("typos" in kind and total < 60)


def droppable(paragraphs: list[str]) -> list[int]:
    total = sum(len(p) for p in paragraphs)
    return [i for i, p in enumerate(paragraphs) if i > 0 and len(p) <= total / 5]


def alter(
    kind: str, paragraphs: list[str], extra: list[str], rng: random.Random
) -> tuple[list[str], bool, bool]:
    """The repost's paragraphs, and whether they are indented and hard-wrapped."""
    out = list(paragraphs)
    parts = kind.split("+")
    if "dropped" in parts:
        del out[rng.choice(droppable(out))]
    if "added" in parts:
        total = sum(len(p) for p in out)
        fits = [p for p in extra if 30 <= len(p) <= total / 5] or [
            min(extra, key=len)[: max(30, total // 5)]
        ]
        out.insert(rng.randint(1, len(out)), rng.choice(fits))
    if "typos" in parts:
        out = typo(out, rng)
    return out, "indented" in parts, "wrapped" in parts


# --------------------------------------------------------------------------- sites


@dataclass
class Site:
    """A made-up site: its name, host, the form of its pages and its chrome."""

    name: str
    host: str
    form: str  # "txt", "html", "jsonl-text", "jsonl-html"
    columns: int
    header: list[str]
    nav: str
    crumbs: str
    source_label: str
    tools: list[str]
    footer: list[str]
    editors: list[str]
    pages: int = 0

    def wraps(self) -> bool:
        return self.form in ("txt", "jsonl-text")


_PLACES = ["青川", "东平", "南江", "临溪", "白河", "清源", "安宁", "丰泽", "云岭", "长兴", "北湖"]
_KINDS_OF_SITE = [
    ("县人民政府", "gov.cn"),
    ("融媒体中心", "com.cn"),
    ("新闻网", "cn"),
    ("区人民政府门户网站", "gov.cn"),
    ("日报社", "com"),
    ("县政务服务网", "gov.cn"),
]
_NAVS = [
    "首页 | 新闻中心 | 政务公开 | 政务服务 | 互动交流 | 走进{p}",
    "网站首页 ｜ 要闻动态 ｜ 通知公告 ｜ 政策文件 ｜ 办事服务 ｜ 公众参与",
    "首页  本地新闻  时政要闻  视频  专题  数字报",
    "首页 > 信息公开 > 政务动态 > 部门动态 > 乡镇动态",
    "【首页】【新闻】【政务】【服务】【互动】【专题】",
]
_FORMS = ["txt", "txt", "html", "jsonl-text", "txt", "html", "jsonl-html", "txt", "html"]


def make_sites(count: int, rng: random.Random) -> list[Site]:
    sites = []
    for n in range(count):
        place = _PLACES[n % len(_PLACES)]
        suffix, tld = _KINDS_OF_SITE[n % len(_KINDS_OF_SITE)]
        name = place + suffix
        host = f"www.{place.encode('utf-8').hex()[:8]}{n}.{tld}"
        phone = f"0{rng.randint(300, 999)}-{rng.randint(2000000, 8999999)}"
        footer = [
            rng.choice(["版权所有：", "主办单位：", "Copyright © 2023 "]) + name,
            f"{rng.choice(['蜀', '鲁', '皖', '豫', '浙'])}ICP备{rng.randint(10000000, 99999999)}号-"
            f"{rng.randint(1, 9)}",
            f"联系电话：{phone}  电子邮箱：{place.encode('utf-8').hex()[:6]}@163.com",
            f"地址：{place}{rng.choice(['县', '区'])}{rng.choice(['人民路', '府前街', '新华路'])}"
            f"{rng.randint(1, 300)}号",
        ]
        if n % 2:
            footer.append(f"网站标识码：{rng.randint(1000000000, 9999999999)}")
        if n % 3 == 0:
            footer.append("技术支持：" + rng.choice(["某某网络科技有限公司", "大汉网络", "开普云"]))
        sites.append(
            Site(
                name=name,
                host=host,
                form=_FORMS[n % len(_FORMS)],
                columns=36 + n % 5,
                header=[
                    name,
                    rng.choice(["无障碍 | 长者模式 | 繁體", "欢迎访问" + name, "移动版"]),
                ],
                nav=rng.choice(_NAVS).format(p=place),
                crumbs=rng.choice(
                    [
                        "当前位置：首页 > 新闻中心 > 国内要闻",
                        "您现在的位置：首页 >> 时政 >> 正文",
                        "当前位置： 首页 / 要闻 / 正文",
                    ]
                ),
                source_label=rng.choice(["来源：", "信息来源：", "稿件来源："]),
                tools=rng.sample(
                    [
                        "【打印本页】 【关闭窗口】",
                        "分享到：微信 微博 QQ空间",
                        "【字体：大 中 小】",
                        "扫一扫在手机打开当前页",
                        "【我要纠错】",
                    ],
                    2,
                ),
                footer=footer,
                editors=[
                    rng.choice("王李张刘陈杨赵黄周吴") + rng.choice("明静丽强磊军洋艳杰娟")
                    for _ in range(4)
                ],
            )
        )
    return sites


@dataclass
class Doc:
    """One page or record of the corpus: which story it carries and how."""

    story: int  # index into the corpus' stories
    kind: str  # "original" or an alteration kind
    path: str
    page: int  # line number in a JSON Lines dump, else 0
    site: str  # "xwlb" or the made-up site's host
    truth: str = ""  # norm_key of the story's text: copies share it
    date: str = ""
    title: str = ""
    #: The clusters of the articles the page gave (a compilation story gives several).
    clusters: set[str] = field(default_factory=set)
    texts: list[str] = field(default_factory=list)
    dates: list[str | None] = field(default_factory=list)  # of the articles, as indexed
    articles: int = 0
    body: str = ""  # the story's text as the page gives it (no chrome)


def page_lines(
    site: Site,
    story: dict[str, str],
    body: list[str],
    indented: bool,
    wrapped: bool,
    rng: random.Random,
) -> tuple[list[str], list[str]]:
    """The lines of a plain-text page: (those above the body, the body and those below).
    A hard-wrapped page has every line wrapped at the site's width, chrome included, as a
    text dump of the whole page is."""
    stamp = f"{story['date']} {rng.randint(7, 22):02d}:{rng.randint(0, 59):02d}"
    head = [
        *site.header,
        site.nav,
        site.crumbs,
        "",
        story["title"] or body[0][:20],
        f"{site.source_label}央视网  发布时间：{stamp}  浏览次数：{rng.randint(10, 9999)}",
        "",
    ]
    lines: list[str] = []
    for paragraph in body:
        text = ("\u3000\u3000" if indented else "") + paragraph
        if wrapped:
            lines.extend(hard_wrap(text, site.columns))
            lines.append("")
        else:
            lines.append(text)
    tail = ["", f"（责任编辑：{rng.choice(site.editors)}）", *site.tools, "", *site.footer]
    if wrapped:
        head = [part for line in head for part in hard_wrap(line, site.columns) or [""]]
        tail = [part for line in tail for part in hard_wrap(line, site.columns) or [""]]
    return head, lines + tail


def html_page(
    site: Site, story: dict[str, str], body: list[str], indented: bool, rng: random.Random
) -> str:
    e = html.escape
    stamp = f"{story['date']} {rng.randint(7, 22):02d}:{rng.randint(0, 59):02d}"
    title = story["title"] or body[0][:20]
    pad = "\u3000\u3000" if indented else ""
    paragraphs = "\n".join(f"<p>{pad}{e(p)}</p>" for p in body)
    nav = "".join(
        f'<a href="/{i}/">{e(item.strip())}</a> '
        for i, item in enumerate(re.split(r"[|｜]|\s{2,}", site.nav))
        if item.strip()
    )
    footer = "\n".join(f"<p>{e(line)}</p>" for line in site.footer)
    tools = "".join(f"<span>{e(t)}</span>" for t in site.tools)
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>{e(title)}_{e(site.name)}</title>
<meta name="publishdate" content="{story["date"]}">
</head><body>
<div class="top"><div class="logo">{e(site.header[0])}</div>
<div class="tool">{e(site.header[1])}</div></div>
<div class="nav">{nav}</div>
<div class="crumb">{e(site.crumbs)}</div>
<div class="main"><div class="article">
<h1>{e(title)}</h1>
<div class="info">{e(site.source_label)}央视网 发布时间：{stamp}</div>
<div class="content">
{paragraphs}
</div>
<div class="editor">（责任编辑：{e(rng.choice(site.editors))}）</div>
<div class="share">{tools}</div>
</div>
<div class="side"><h3>热点推荐</h3><ul><li><a href="/a/1.html">{e(site.name)}召开专题会议</a></li>
<li><a href="/a/2.html">我县开展安全生产大检查</a></li>
<li><a href="/a/3.html">通知公告</a></li></ul></div>
</div>
<div class="footer">{footer}</div>
</body></html>
"""


# --------------------------------------------------------------------------- corpus


@dataclass
class Corpus:
    folder: Path
    stories: list[dict[str, str]]
    docs: list[Doc] = field(default_factory=list)
    families: dict[int, int] = field(default_factory=dict)  # story -> template family


def build(
    folder: Path, n: int, templates: int, sites_count: int, seed: int, share: float
) -> Corpus:
    log("loading the xwlb stories")
    every = load_stories()
    chosen = sample(every, n, templates, seed)
    stories = [every[i] for i in chosen]
    rng = random.Random(seed + 1)
    corpus = Corpus(folder, stories)
    by_title: dict[str, list[int]] = collections.defaultdict(list)
    for i, story in enumerate(stories):
        if story["title"]:
            by_title[_NUMBER_RE.sub("#", story["title"])].append(i)
    family_of = {}
    for number, members in enumerate(m for m in by_title.values() if len(m) > 1):
        for i in members:
            family_of[i] = number
    corpus.families = family_of
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "xwlb").mkdir(parents=True)
    with (folder / "xwlb" / "originals.jsonl").open("w", encoding="utf-8") as out:
        for i, story in enumerate(stories):
            out.write(json.dumps(story, ensure_ascii=False) + "\n")
            corpus.docs.append(
                Doc(i, "original", str(folder / "xwlb" / "originals.jsonl"), i + 1, "xwlb")
            )

    sites = make_sites(sites_count, rng)
    # Which stories are reposted, how, and where: every kind about as often.
    plans: list[tuple[int, str, Site]] = []
    kinds = itertools.cycle(KINDS)
    for i, story in enumerate(stories):
        paragraphs = story["text"].split("\n")
        if len(re.sub(r"\s+", "", story["text"])) < 100 or rng.random() >= share:
            continue
        copies = 2 if rng.random() < 0.25 else 1
        used: set[str] = set()
        for _ in range(copies):
            for _ in range(len(KINDS)):
                kind = next(kinds)
                if applicable(kind, paragraphs):
                    break
            else:
                kind = "verbatim"
            fits = [s for s in sites if s.host not in used and (s.wraps() or "wrapped" not in kind)]
            site = min(fits, key=lambda s: (s.pages, rng.random()))
            site.pages += 1
            used.add(site.host)
            plans.append((i, kind, site))

    records: dict[str, list[str]] = collections.defaultdict(list)
    for i, kind, site in plans:
        story = stories[i]
        other = stories[(i + 1 + rng.randrange(len(stories) - 1)) % len(stories)]
        body, indented, wrapped = alter(
            kind, story["text"].split("\n"), other["text"].split("\n"), rng
        )
        home = folder / "sites" / site.host
        home.mkdir(parents=True, exist_ok=True)
        number = len([d for d in corpus.docs if d.site == site.host]) + 1
        url = f"https://{site.host}/xwzx/{story['date'].replace('-', '')}/{number:04d}.html"
        if site.form == "txt":
            head, tail = page_lines(site, story, body, indented, wrapped, rng)
            path = home / f"{number:04d}.txt"
            path.write_text("\n".join(head + tail) + "\n", encoding="utf-8")
            corpus.docs.append(Doc(i, kind, str(path), 0, site.host, body="\n".join(body)))
        elif site.form == "html":
            path = home / f"{number:04d}.html"
            path.write_text(html_page(site, story, body, indented, rng), encoding="utf-8")
            corpus.docs.append(Doc(i, kind, str(path), 0, site.host, body="\n".join(body)))
        else:
            path = home / "crawl.jsonl"
            title = f"{story['title'] or body[0][:20]}_{site.name}"
            record: dict[str, str] = {"url": url, "title": title, "date": story["date"]}
            if site.form == "jsonl-html":
                record["html"] = html_page(site, story, body, indented, rng)
            else:
                head, tail = page_lines(site, story, body, indented, wrapped, rng)
                record["text"] = "\n".join(head + tail)
            records[str(path)].append(json.dumps(record, ensure_ascii=False))
            line = len(records[str(path)])
            corpus.docs.append(Doc(i, kind, str(path), line, site.host, body="\n".join(body)))
    for path, lines in records.items():
        Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")
    for doc in corpus.docs:
        story = stories[doc.story]
        doc.truth, doc.date, doc.title = norm_key(story["text"]), story["date"], story["title"]
        doc.body = doc.body or story["text"]
    return corpus


# --------------------------------------------------------------------------- scoring


def index_and_read(corpus: Corpus, index: Path, jobs: int | None) -> float:
    """Index the corpus; give every doc the clusters and texts of its articles."""
    from searcher.engine import Engine

    started = time.perf_counter()
    engine = Engine(index)
    engine.index([corpus.folder], rebuild=True, jobs=jobs)
    seconds = time.perf_counter() - started
    by_page: dict[tuple[str, int], list[Any]] = collections.defaultdict(list)
    for article in engine.export(all_copies=True):
        by_page[(article.path, article.page)].append(article)
    engine.close()
    for doc in corpus.docs:
        found = by_page.get((doc.path, doc.page), [])
        doc.articles = len(found)
        doc.clusters = {a.cluster for a in found}
        doc.texts = [a.text for a in found]
        doc.dates = [a.date for a in found]
    return seconds


def look_alike(corpus: Corpus, a: Doc, b: Doc) -> str:
    """What two documents of different stories have in common (the first that holds)."""
    fa, fb = corpus.families.get(a.story), corpus.families.get(b.story)
    if fa is not None and fa == fb:
        return "template family"
    ta, tb = _NUMBER_RE.sub("#", a.title), _NUMBER_RE.sub("#", b.title)
    if len(ta) >= 6 and ta[:6] == tb[:6] and not _PREFIX_RE.match(ta):
        return "same title opening"
    pa, pb = _PREFIX_RE.match(a.title), _PREFIX_RE.match(b.title)
    if pa and pb and pa.group() == pb.group():
        return "same title prefix"
    if a.date == b.date:
        return "same day"
    if a.site == b.site and a.site != "xwlb":
        return "same made-up site"
    return "other"


def pair_kind(a: Doc, b: Doc) -> str:
    if a.kind == "original" and b.kind == "original":
        return "original/original"
    if a.kind == "original" or b.kind == "original":
        return b.kind if a.kind == "original" else a.kind
    return "repost/repost"


def miss_reason(a: Doc, b: Doc) -> tuple[str, float]:
    """Why two copies were not clustered, as searcher.dedup judges their articles."""
    from searcher import dedup

    if not a.texts or not b.texts:
        return "page gave no article", 0.0
    # The most alike of their articles (a compilation story gives several).
    similarity, ta, tb, da, db = max(
        (dedup.jaccard(dedup.shingles(x), dedup.shingles(y)), x, y, dx, dy)
        for x, dx in zip(a.texts, a.dates, strict=True)
        for y, dy in zip(b.texts, b.dates, strict=True)
    )
    if not (dedup.comparable(ta) and dedup.comparable(tb)):
        return "too short to compare", similarity
    ca, cb = dedup.Compared.of(ta), dedup.Compared.of(tb)
    if (
        dedup.near(ca, cb) is not None
        and dedup.near(*map(dedup.Compared.of, (ta, tb), (da, db))) is None
    ):
        return "dated a year apart", similarity
    if dedup.near(ca, cb) is None:
        if dedup.near(dedup.Compared.of(a.body), dedup.Compared.of(b.body)) is not None:
            return "cleaning (as written: near)", similarity
        if similarity >= dedup.LOW and dedup.numbers_differ(ca.numbers, cb.numbers):
            return "a number differs", similarity
        if similarity < dedup.LOW:
            return f"Jaccard < {dedup.LOW}", similarity
        return f"Jaccard < {dedup.THRESHOLD}, not alike enough", similarity
    ka, kb = (set(dedup.band_keys(dedup.signature(t))) for t in (ta, tb))
    if not ka & kb:
        return "LSH bands never met", similarity
    return "other (joined another cluster, did not merge)", similarity


def score(corpus: Corpus) -> dict[str, Any]:
    docs = corpus.docs
    kinds: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    alikes: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    misses, merges = [], []
    totals = collections.Counter()
    for a, b in itertools.combinations(docs, 2):
        copy = a.truth == b.truth
        together = bool(a.clusters & b.clusters)
        if not copy and not together:
            if a.story != b.story:
                alikes[look_alike(corpus, a, b)]["pairs"] += 1
            continue
        totals["copies"] += copy
        totals["clustered"] += together
        totals["both"] += copy and together
        if copy:
            label = pair_kind(a, b)
            kinds[label]["pairs"] += 1
            kinds[label]["found"] += together
            if not together:
                reason, similarity = miss_reason(a, b)
                kinds[label][reason] += 1
                misses.append(
                    {
                        "kind": label,
                        "reason": reason,
                        "jaccard": round(similarity, 3),
                        "a": _where(a),
                        "b": _where(b),
                    }
                )
        if together:
            labels = {d.kind for d in (a, b) if d.kind != "original"} or {pair_kind(a, b)}
            for label in labels:
                kinds[label]["clustered"] += 1
                kinds[label]["true"] += copy
        if together and not copy:
            label = look_alike(corpus, a, b)
            alikes[label]["pairs"] += 1
            alikes[label]["merged"] += 1
            merges.append({"look-alike": label, "a": _where(a), "b": _where(b)})
    return {
        "precision": totals["both"] / totals["clustered"] if totals["clustered"] else 1.0,
        "recall": totals["both"] / totals["copies"] if totals["copies"] else 1.0,
        "copy_pairs": totals["copies"],
        "clustered_pairs": totals["clustered"],
        "kinds": {k: dict(v) for k, v in kinds.items()},
        "look_alikes": {k: dict(v) for k, v in alikes.items()},
        "misses": misses,
        "false_merges": merges,
        "no_article": sum(d.articles == 0 for d in docs),
        "split": sum(d.articles > 1 for d in docs),
    }


def _where(doc: Doc) -> dict[str, Any]:
    return {
        "path": doc.path,
        "page": doc.page,
        "kind": doc.kind,
        "title": doc.title,
        "date": doc.date,
    }


def pct(part: float, whole: float) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "—"


def table(result: dict[str, Any], corpus: Corpus, seconds: float) -> str:
    docs = corpus.docs
    reposts = [d for d in docs if d.kind != "original"]
    sites = len({d.site for d in reposts})
    lines = [
        f"dedup: {len(corpus.stories)} xwlb stories ({len(corpus.families)} in template "
        f"families), {len(reposts)} reposts on {sites} made-up sites; {len(docs)} documents "
        f"indexed in {seconds:.1f} s; pages without an article: {result['no_article']}, "
        f"split in several: {result['split']}",
        "",
        f"{'kind':<30} {'copies':>6} {'pairs':>6} {'found':>6} {'recall':>7} {'precision':>9}",
    ]
    counts = collections.Counter(d.kind for d in docs)
    order = [*KINDS, "repost/repost", "original/original"]
    for kind in order:
        row = result["kinds"].get(kind)
        if not row:
            continue
        lines.append(
            f"{kind:<30} {counts.get(kind, ''):>6} {row.get('pairs', 0):>6} "
            f"{row.get('found', 0):>6} {pct(row.get('found', 0), row.get('pairs', 0)):>7} "
            f"{pct(row.get('true', 0), row.get('clustered', 0)):>9}"
        )
    flat = [k for k in KINDS if "wrapped" not in k and k in result["kinds"]]
    pairs = sum(result["kinds"][k].get("pairs", 0) for k in flat)
    found = sum(result["kinds"][k].get("found", 0) for k in flat)
    lines.append(
        f"{'original/repost, not wrapped':<30} {sum(counts[k] for k in flat):>6} {pairs:>6} "
        f"{found:>6} {pct(found, pairs):>7}"
    )
    lines.append(
        f"{'all':<30} {len(reposts):>6} {result['copy_pairs']:>6} "
        f"{round(result['recall'] * result['copy_pairs']):>6} "
        f"{100 * result['recall']:>6.1f}% {100 * result['precision']:>8.1f}%"
    )
    lines += ["", f"{'look-alike (different stories)':<30} {'pairs':>8} {'merged':>7} {'rate':>7}"]
    for label in (
        "template family",
        "same title opening",
        "same title prefix",
        "same day",
        "same made-up site",
        "other",
    ):
        row = result["look_alikes"].get(label, {})
        lines.append(
            f"{label:<30} {row.get('pairs', 0):>8} {row.get('merged', 0):>7} "
            f"{pct(row.get('merged', 0), row.get('pairs', 0)):>7}"
        )
    reasons = collections.Counter(m["reason"] for m in result["misses"])
    if reasons:
        lines += [
            "",
            "missed copy pairs by reason: "
            + ", ".join(f"{r} {n}" for r, n in reasons.most_common()),
        ]
    lines += [
        "",
        f"pairwise precision {100 * result['precision']:.2f}% "
        f"({result['clustered_pairs']} pairs clustered), recall {100 * result['recall']:.2f}% "
        f"({result['copy_pairs']} copy pairs)",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", type=int, default=400, help="xwlb stories (400)")
    parser.add_argument("--templates", type=int, default=16, help="template families added (16)")
    parser.add_argument("--sites", type=int, default=9, help="made-up sites (9)")
    parser.add_argument(
        "--share", type=float, default=0.6, help="share of the stories reposted (0.6)"
    )
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--jobs", type=int, default=None, help="indexing workers (all cores)")
    parser.add_argument("--out", type=Path, default=OUT, help="work folder (benchmarks/out/dedup)")
    parser.add_argument("--json", type=Path, help="write the figures, misses and false merges")
    args = parser.parse_args(argv)
    corpus = build(
        args.out / "dumps", args.stories, args.templates, args.sites, args.seed, args.share
    )
    log(f"indexing {len(corpus.docs)} documents")
    seconds = index_and_read(corpus, args.out / "index", args.jobs)
    result = score(corpus)
    print(table(result, corpus, seconds))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        result["args"] = {k: str(v) for k, v in vars(args).items()}
        result["index_seconds"] = seconds
        result["documents"] = [
            {**{k: v for k, v in asdict(d).items() if k != "texts"}, "clusters": sorted(d.clusters)}
            for d in corpus.docs
        ]
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
