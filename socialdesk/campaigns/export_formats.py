"""The report exports of each ad platform, recognised by their column names (docs/ads.md, "Importing").

Each platform's columns are listed by the field they feed, in English and, where the platform's interface
is translated, German and Croatian (VK Ads: Russian and English). Headers are compared after `fold`: case,
accents, punctuation and a trailing "(EUR)"-style currency are ignored, so "Amount spent (EUR)",
"amount spent" and "AMOUNT SPENT (USD)" are the same column. Sample exports built from each platform's
documentation are in tests/fixtures/ads/ (each names the page it follows).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

# The fields a row can feed. A file needs a date (day, or start and end), spend and impressions.
FIELDS = ("ad_id", "ad", "ad_set", "campaign_id", "campaign", "day", "starts_on", "ends_on", "currency", "spend",
          "impressions", "reach", "clicks", "link_clicks", "conversions", "revenue", "video_views")
_CURRENCY_SUFFIX = re.compile(r"[\(\[]\s*([A-Za-z]{3})\s*[\)\]]\s*$")


def fold(header: object) -> str:
    """A header as it is compared: lower case, no accents, no currency suffix, single spaces."""
    text = str(header or "").replace("\ufeff", "").strip()
    text = _CURRENCY_SUFFIX.sub("", text)
    text = "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))
    text = re.sub(r"[^\w%]+", " ", text)
    return " ".join(text.split())


def currency_in(header: object) -> str | None:
    """The currency a header names, as in "Amount spent (EUR)"."""
    found = _CURRENCY_SUFFIX.search(str(header or "").strip())
    return found.group(1).upper() if found else None


@dataclass(frozen=True)
class ExportFormat:
    key: str
    label: str
    platform: str
    columns: dict[str, tuple[str, ...]]  # field -> header names (as written; folded when compared)
    signature: tuple[str, ...]  # headers that tell this platform's file from the others'
    source: str  # the documentation it follows
    folded: dict[str, str] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "folded", {fold(h): f for f, names in self.columns.items() for h in names})

    def field_of(self, header: object) -> str | None:
        return self.folded.get(fold(header))


META = ExportFormat(
    "meta", "Meta Ads Manager", "meta",
    {"ad_id": ("Ad ID", "Anzeigen-ID", "ID oglasa"),
     "ad": ("Ad name", "Anzeigenname", "Naziv oglasa"),
     "ad_set": ("Ad set name", "Name der Anzeigengruppe", "Naziv skupa oglasa"),
     "campaign_id": ("Campaign ID", "Kampagnen-ID", "ID kampanje"),
     "campaign": ("Campaign name", "Kampagnenname", "Naziv kampanje"),
     "day": ("Day", "Tag", "Dan"),
     "starts_on": ("Reporting starts", "Berichtsbeginn", "Početak izvještavanja", "Početak izvješćivanja"),
     "ends_on": ("Reporting ends", "Berichtsende", "Kraj izvještavanja", "Kraj izvješćivanja"),
     "currency": ("Currency", "Währung", "Valuta"),
     "spend": ("Amount spent", "Ausgegebener Betrag", "Potrošeni iznos"),
     "impressions": ("Impressions", "Impressionen", "Prikazi"),
     "reach": ("Reach", "Reichweite", "Doseg"),
     "clicks": ("Clicks (all)", "Klicks (alle)", "Klikovi (svi)"),
     "link_clicks": ("Link clicks", "Link-Klicks", "Klikovi na poveznicu"),
     "conversions": ("Purchases", "Käufe", "Kupnje", "Results", "Ergebnisse", "Rezultati"),
     "revenue": ("Purchases conversion value", "Conversion-Wert für Käufe", "Vrijednost konverzije kupnji"),
     "video_views": ("ThruPlays", "ThruPlays", "3-second video plays", "3-Sekunden-Videowiedergaben")},
    ("amount spent", "ausgegebener betrag", "potroseni iznos", "reporting starts", "berichtsbeginn"),
    "https://www.facebook.com/business/help/1695754927158071 (Export ad reports from Ads Manager) and the "
    "Ads Manager metric glossary, https://www.facebook.com/business/help/447834205249495")

GOOGLE = ExportFormat(
    "google", "Google Ads", "google",
    {"ad_id": ("Ad ID", "Anzeigen-ID", "ID oglasa"),
     "ad": ("Ad", "Anzeige", "Oglas"),
     "ad_set": ("Ad group", "Anzeigengruppe", "Grupa oglasa"),
     "campaign_id": ("Campaign ID", "Kampagnen-ID", "ID kampanje"),
     "campaign": ("Campaign", "Kampagne", "Kampanja"),
     "day": ("Day", "Tag", "Dan"),
     "currency": ("Currency code", "Währungscode", "Kod valute"),
     "spend": ("Cost", "Kosten", "Trošak"),
     "impressions": ("Impr.", "Impressions", "Impressionen", "Impr", "Pojavljivanja", "Prikazi"),
     "clicks": ("Clicks", "Klicks", "Klikovi"),
     "conversions": ("Conversions", "Conversions", "Konverzije"),
     "revenue": ("Conv. value", "Conv.-Wert", "Vrij. konv.", "Vrijednost konv."),
     "video_views": ("Video views", "Videoaufrufe", "Pregledi videozapisa")},
    ("cost", "kosten", "trosak", "impr", "conv value", "conv wert"),
    "https://support.google.com/google-ads/answer/2404095 (Download a report) and the column glossary "
    "https://support.google.com/google-ads/answer/9947466; the first two lines of a download name the report "
    "and its date range")

LINKEDIN = ExportFormat(
    "linkedin", "LinkedIn Campaign Manager", "linkedin",
    {"ad_id": ("Creative ID", "Ad ID"),
     "ad": ("Creative Name", "Ad Name"),
     "campaign_id": ("Campaign ID",),
     "campaign": ("Campaign Name", "Kampagnenname", "Naziv kampanje"),
     "ad_set": ("Campaign Group Name",),
     "day": ("Start Date (in UTC)", "Start Date", "Startdatum (in UTC)"),
     "currency": ("Currency", "Währung", "Valuta"),
     "spend": ("Total Spent", "Amount Spent", "Gesamtausgaben", "Ukupno potrošeno"),
     "impressions": ("Impressions", "Impressionen", "Prikazi"),
     "reach": ("Reach", "Approximate Unique Member Reach"),
     "clicks": ("Clicks", "Klicks", "Klikovi"),
     "link_clicks": ("Landing Page Clicks",),
     "conversions": ("Conversions", "Leads"),
     "revenue": ("Conversion Value", "Total Conversion Value"),
     "video_views": ("Video Views", "Videoaufrufe")},
    ("total spent", "start date in utc", "campaign group name", "landing page clicks", "creative name"),
    "https://www.linkedin.com/help/lms/answer/a425541 (Export Campaign Manager reports) and the metric "
    "definitions https://www.linkedin.com/help/lms/answer/a417436; exports start with report-name lines")

TIKTOK = ExportFormat(
    "tiktok", "TikTok Ads Manager", "tiktok",
    {"ad_id": ("Ad ID", "Anzeigen-ID"),
     "ad": ("Ad name", "Anzeigenname"),
     "ad_set": ("Ad group name", "Name der Anzeigengruppe"),
     "campaign_id": ("Campaign ID",),
     "campaign": ("Campaign name", "Kampagnenname"),
     "day": ("By Day", "Date", "Datum"),
     "currency": ("Currency", "Währung"),
     "spend": ("Cost", "Kosten", "Total cost"),
     "impressions": ("Impressions", "Impressionen"),
     "reach": ("Reach", "Reichweite"),
     "clicks": ("Clicks (all)", "Klicks (alle)"),
     "link_clicks": ("Clicks (destination)", "Klicks (Ziel)"),
     "conversions": ("Conversions", "Conversions"),
     "revenue": ("Total complete payment value", "Complete payment value"),
     "video_views": ("Video views", "Videoaufrufe")},
    ("ad group name", "clicks destination", "by day", "klicks ziel"),
    "https://ads.tiktok.com/help/article/all-metrics (TikTok Ads Manager metrics) and "
    "https://ads.tiktok.com/help/article/how-to-export-reports (export a custom report)")

X_ADS = ExportFormat(
    "x", "X Ads", "x",
    {"ad_id": ("Tweet ID", "Post ID", "Ad ID"),
     "ad": ("Tweet text", "Post text", "Ad name"),
     "ad_set": ("Ad Group name", "Ad group name"),
     "campaign_id": ("Campaign ID",),
     "campaign": ("Campaign name",),
     "day": ("Time period", "Date"),
     "currency": ("Currency",),
     "spend": ("Spend", "Billed charge (local micro)"),
     "impressions": ("Impressions",),
     "clicks": ("Clicks",),
     "link_clicks": ("Link clicks", "Url clicks"),
     "conversions": ("Results", "Conversions"),
     "revenue": ("Conversion value", "Sale amount"),
     "video_views": ("Video views", "Video total views")},
    ("time period", "spend", "tweet id", "url clicks", "post id"),
    "https://business.x.com/en/help/campaign-measurement-and-analytics/ads-analytics-dashboard "
    "(export the Ads Manager table) and the metric glossary "
    "https://business.x.com/en/help/campaign-measurement-and-analytics/metrics-glossary")

VK = ExportFormat(
    "vk", "VK Ads", "vk",
    {"ad_id": ("ID объявления", "Ad ID"),
     "ad": ("Объявление", "Ad"),
     "ad_set": ("Группа объявлений", "Ad group"),
     "campaign_id": ("ID кампании", "Campaign ID"),
     "campaign": ("Кампания", "Campaign"),
     "day": ("Дата", "Date"),
     "currency": ("Валюта", "Currency"),
     "spend": ("Потрачено", "Spent"),
     "impressions": ("Показы", "Shows"),
     "reach": ("Охват", "Reach"),
     "clicks": ("Клики", "Clicks"),
     "conversions": ("Результаты", "Results"),
     "revenue": ("Ценность конверсий", "Conversion value"),
     "video_views": ("Просмотры видео", "Video views")},
    ("потрачено", "показы", "spent", "shows"),
    "https://ads.vk.com/help/articles/statistics (VK Ads statistics: the columns of the statistics table and "
    "its export to XLSX/CSV)")

FORMATS: dict[str, ExportFormat] = {f.key: f for f in (META, GOOGLE, LINKEDIN, TIKTOK, X_ADS, VK)}


def score(fmt: ExportFormat, headers: list[object]) -> tuple[int, int]:
    """(signature headers found, all known headers found): how well a header row fits a format."""
    folded = {fold(h) for h in headers}
    return (sum(1 for s in fmt.signature if s in folded), sum(1 for h in folded if h in fmt.folded))


def recognise(headers: list[object]) -> ExportFormat | None:
    """The format whose columns fit the header row best; None if none has its signature and a spend column."""
    best, best_score = None, (0, 0)
    for fmt in FORMATS.values():
        found = score(fmt, headers)
        mapped = {fmt.field_of(h) for h in headers}
        if found[0] and "spend" in mapped and found > best_score:
            best, best_score = fmt, found
    return best
