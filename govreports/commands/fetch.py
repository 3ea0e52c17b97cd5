"""``govreports fetch URLS.csv -o DIR`` / ``--listing URL``: fetch reports politely, with provenance.

    govreports fetch urls.csv -o out/fetch                      # a CSV with a url column (agency, year optional)
    govreports fetch --listing https://www.example.gov.cn/zfxxgk/ndbg/ -o out/fetch
    govreports corpus build out/fetch -o out/corpus            # the fetched reports, with url and published
"""
from __future__ import annotations

import argparse


def add_parser(subparsers) -> None:
    """Register ``fetch`` on the CLI's subparsers."""
    from govreports.fetch import Settings

    d = Settings()
    p = subparsers.add_parser("fetch", help="fetch report pages and attachments into a folder with a manifest",
                              description=__doc__.splitlines()[0])
    p.add_argument("urls", nargs="?", metavar="URLS.csv", help="CSV with a url column (optional agency, year)")
    p.add_argument("--listing", action="append", default=[], metavar="URL",
                   help="a listing page (政府信息公开年报 column); may be given several times")
    p.add_argument("-o", "--out", required=True, help="fetch folder: files/, manifest.parquet, manifest.csv")
    p.add_argument("--interval", type=float, default=d.interval, help=f"seconds between requests to one host ({d.interval:g})")
    p.add_argument("--timeout", type=float, default=d.timeout, help=f"seconds per request ({d.timeout:g})")
    p.add_argument("--retries", type=int, default=d.retries, help=f"retries on timeouts and 5xx ({d.retries})")
    p.add_argument("--max-bytes", type=int, default=d.max_bytes, help=f"size limit per file ({d.max_bytes})")
    p.add_argument("--max-hosts", type=int, default=d.max_hosts, help=f"hosts fetched in parallel ({d.max_hosts})")
    p.add_argument("--max-pages", type=int, default=d.max_pages, help=f"pages per listing ({d.max_pages})")
    p.add_argument("--refresh", action="store_true", help="ask again (conditionally) for what the folder has")
    p.add_argument("--contact", default=None, help="an e-mail or URL added to the User-Agent")
    p.set_defaults(func=run_fetch)


def run_fetch(args: argparse.Namespace) -> int:
    """Fetch, print one summary line; exit 0 (failed URLs are rows of the manifest, not a failed run)."""
    from govreports.fetch import Settings, fetch

    if not args.urls and not args.listing:
        print("govreports fetch: give a CSV of URLs or --listing URL")
        return 2
    settings = Settings(interval=args.interval, timeout=args.timeout, retries=args.retries,
                        max_bytes=args.max_bytes, max_hosts=args.max_hosts, max_pages=args.max_pages,
                        refresh=args.refresh, contact=args.contact)
    m = fetch(urls=args.urls, listings=args.listing, out=args.out, settings=settings)
    stored = int((m["path"].notna() & m["error"].isna() & (m["status"] != 304)).sum())
    unchanged = int((m["status"] == 304).sum())
    failed = int(m["error"].notna().sum())
    print(f"{len(m)} URLs: {stored} stored, {unchanged} unchanged, {failed} failed; "
          f"manifest in {args.out}/manifest.parquet and manifest.csv")
    return 0
