"""Writing checks: spelling recall and suggestions on seeded typos, each rule's precision/recall on seeded
mistakes, false alarms per 1,000 words on clean texts, and speed.

    .venv/bin/python bench/writing.py [--quick]

The held-out set is built here: clean sentences per language (written for this benchmark, in the style
of posts), each with a typo seeded deterministically (a letter dropped, doubled, swapped or replaced, or a
diacritic removed; skipped when the result is itself a dictionary word). Rules get one seeded mistake
each per clean sentence. With /work/shared/data present, the hbs confusion rules are also counted on
real Croatian, Serbian and Bosnian tweets (their hits there are an upper bound on false alarms).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from socialdesk.studio.writing import confusions, dictionaries, rules, spelling
from socialdesk.studio.writing.check import check_text
from socialdesk.studio.writing.tokens import words

CLEAN = {
    "hr": ["Danas smo otvorili novu trgovinu u centru grada i pozivamo vas da nas posjetite.",
           "Naša kava dolazi izravno od malih proizvođača iz Etiopije i Kolumbije.",
           "Svake subote pečemo svježe kolače, a djeca dobivaju besplatan sok.",
           "Hvala vam na strpljenju dok smo uređivali terasu za ljetne večeri.",
           "Rezervacije primamo telefonom ili porukom, a radimo do ponoći.",
           "Ovaj tjedan donosimo novi jelovnik s domaćim tjesteninama i salatama.",
           "Pridružite nam se na radionici o pripremi kave kod kuće.",
           "Zahvaljujemo svim gostima koji su nam ostavili lijepe recenzije."],
    "sr": ["Danas smo otvorili novu prodavnicu u centru grada i pozivamo vas da nas posetite.",
           "Naša kafa dolazi direktno od malih proizvođača iz Etiopije i Kolumbije.",
           "Svake subote pečemo sveže kolače, a deca dobijaju besplatan sok.",
           "Хвала вам на стрпљењу док смо уређивали башту за летње вечери.",
           "Резервације примамо телефоном или поруком, а радимо до поноћи.",
           "Ove nedelje donosimo novi jelovnik sa domaćim testeninama i salatama."],
    "bs": ["Danas smo otvorili novu trgovinu u centru grada i pozivamo vas da nas posjetite.",
           "Naša kafa dolazi direktno od malih proizvođača iz Etiopije i Kolumbije.",
           "Svake subote pečemo svježe kolače, a djeca dobijaju besplatan sok.",
           "Hvala vam na strpljenju dok smo uređivali baštu za ljetne večeri.",
           "Ove sedmice donosimo novi jelovnik sa domaćim tjesteninama i salatama."],
    "en": ["Today we opened our new store downtown and we would love to see you there.",
           "Our coffee comes straight from small farmers in Ethiopia and Colombia.",
           "Every Saturday we bake fresh cakes, and children get a free juice.",
           "Thank you for your patience while we were renovating the terrace.",
           "We take reservations by phone or message and stay open until midnight.",
           "This week we bring a new menu with homemade pasta and seasonal salads."],
    "de": ["Heute haben wir unseren neuen Laden in der Innenstadt eröffnet.",
           "Unser Kaffee kommt direkt von kleinen Bauern aus Äthiopien und Kolumbien.",
           "Jeden Samstag backen wir frischen Kuchen, und Kinder bekommen einen Saft gratis.",
           "Vielen Dank für Ihre Geduld, während wir die Terrasse renoviert haben.",
           "Diese Woche gibt es eine neue Speisekarte mit hausgemachter Pasta."],
    "es": ["Hoy abrimos nuestra nueva tienda en el centro y nos encantaría verte.",
           "Nuestro café viene directamente de pequeños productores de Etiopía y Colombia.",
           "Cada sábado horneamos pasteles frescos y los niños reciben un zumo gratis.",
           "Gracias por su paciencia mientras renovábamos la terraza.",
           "Esta semana presentamos un nuevo menú con pasta casera y ensaladas."],
    "ru": ["Сегодня мы открыли новый магазин в центре города и ждём вас в гости.",
           "Наш кофе поступает напрямую от небольших фермеров из Эфиопии и Колумбии.",
           "Каждую субботу мы печём свежие пироги, а дети получают сок бесплатно.",
           "Спасибо за ваше терпение, пока мы ремонтировали террасу.",
           "На этой неделе у нас новое меню с домашней пастой и салатами."],
}
STRIP = str.maketrans("čćšžđČĆŠŽĐäöüéíóúñ", "ccszdCCSZDaoueioun")


def seed_typo(word: str, rng: random.Random) -> str:
    ops = ["drop", "double", "swap", "replace"] + (["strip"] if word.translate(STRIP) != word else [])
    op = rng.choice(ops)
    i = rng.randrange(1, len(word) - 1)
    if op == "drop":
        return word[:i] + word[i + 1:]
    if op == "double":
        return word[:i] + word[i] + word[i:]
    if op == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if op == "strip":
        return word.translate(STRIP)
    letters = "аеиоукнстрлм" if any("\u0400" <= c <= "\u04ff" for c in word) else "aeioutnsrlkm"
    return word[:i] + rng.choice([c for c in letters if c != word[i]]) + word[i + 1:]


def spelling_bench(variants: int) -> tuple[int, int, int, int, int, int]:
    """(seeded, detected, top1, top5, clean words, clean false alarms)"""
    rng = random.Random(7)
    seeded = detected = top1 = top5 = clean_words = clean_alarms = 0
    for language, sentences in CLEAN.items():
        if dictionaries.find(language) is None:
            print(f"  {language}: dictionary not installed, skipped")
            continue
        lang_seeded = lang_found = 0
        for sentence in sentences:
            tokens = list(words(sentence))
            clean_words += len(tokens)
            clean_alarms += len(check_text(sentence, language).problems)
            for _ in range(variants):
                candidates = [t for t in tokens if len(t.text) >= 4 and t.text.islower()]
                target = rng.choice(candidates)
                typo = seed_typo(target.text, rng)
                dictionary = spelling.dictionary_for(language, typo)
                if typo == target.text or dictionary is None or spelling.is_correct(dictionary, typo):
                    continue  # a real-word error: no spelling checker can see it
                text = sentence[:target.start] + typo + sentence[target.end:]
                found = [p for p in spelling.check(text, language)[0] if p.offset == target.start]
                seeded += 1
                lang_seeded += 1
                if found:
                    detected += 1
                    lang_found += 1
                    top1 += bool(found[0].suggestions[:1] == (target.text,))
                    top5 += target.text in found[0].suggestions
        print(f"  spelling {language}: {lang_found}/{lang_seeded} seeded typos found")
    return seeded, detected, top1, top5, clean_words, clean_alarms


SEEDS = {
    "repeated_word": lambda s: " ".join([*s.split()[:3], s.split()[2], *s.split()[3:]]),
    "spacing": lambda s: s.replace(",", " ,", 1) if "," in s else s.replace(" ", "  ", 1),
    "capital": lambda s: s + " " + s[0].lower() + s[1:],
    "unbalanced": lambda s: s.replace(" ", " (", 1),
    "exclamation": lambda s: s.rstrip(".") + "!!!",
    "shouting": lambda s: s + " " + " ".join(w.upper() for w in s.split()[:4]),
}


def rules_bench() -> dict[str, tuple[int, int, int]]:
    """Per rule: (seeded, found, false alarms on the clean sentences)."""
    out = {}
    for kind, seed in SEEDS.items():
        seeded = found = alarms = 0
        for sentences in CLEAN.values():
            for sentence in sentences:
                alarms += sum(1 for p in rules.check(sentence) if p.kind == kind)
                broken = seed(sentence)
                if broken == sentence:
                    continue
                seeded += 1
                found += any(p.kind == kind for p in rules.check(broken))
        out[kind] = (seeded, found, alarms)
    return out


def confusion_bench(limit: int) -> dict[str, tuple[int, int]]:
    """Per confusion rule: (tweets looked at, tweets it fired on) on real hr/sr/bs tweets."""
    data = Path("/work/shared/data/sentiment")
    out: dict[str, tuple[int, int]] = {}
    files = {"hr": "twitter15-croatian-train.tsv", "sr": "twitter15-serbian-train.tsv",
             "bs": "twitter15-bosnian-train.tsv"}
    for language, name in files.items():
        path = data / name
        if not path.exists():
            continue
        texts = [line.split("\t", 1)[1] for line in path.read_text(encoding="utf-8").splitlines()[1:limit + 1]
                 if "\t" in line]
        for rule in confusions.CONFUSIONS:
            if language not in rule.languages:
                continue
            fired = sum(1 for t in texts if rule.pattern.search(t))
            seen, hits = out.get(rule.name, (0, 0))
            out[rule.name] = (seen + len(texts), hits + fired)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    quick = parser.parse_args().quick
    started = time.monotonic()
    seeded, detected, top1, top5, clean_words, clean_alarms = spelling_bench(1 if quick else 6)
    recall = detected / max(1, seeded)
    print(f"spelling: {detected}/{seeded} seeded typos found (recall {recall:.3f}); correct word first "
          f"{top1}/{detected}, in top 5 {top5}/{detected}")
    per_1000 = 1000 * clean_alarms / max(1, clean_words)
    print(f"clean texts: {clean_alarms} problems of any kind in {clean_words} words "
          f"({per_1000:.2f} per 1,000 words)")
    for kind, (n, found, alarms) in rules_bench().items():
        print(f"rule {kind}: recall {found}/{n}, false alarms on clean sentences {alarms}")
    for name, (n, hits) in confusion_bench(300 if quick else 5000).items():
        print(f"confusion {name}: fired on {hits}/{n} real tweets ({100 * hits / max(1, n):.2f} %)")
    texts = [s for sentences in CLEAN.values() for s in sentences] * (2 if quick else 5)
    languages = [lang for lang, sentences in CLEAN.items() for _ in sentences] * (2 if quick else 5)
    check_text(texts[0], languages[0])
    t0 = time.monotonic()
    for text, language in zip(texts, languages, strict=True):
        check_text(text, language)
    rate = len(texts) / (time.monotonic() - t0)
    print(f"speed: {rate:.1f} clean texts/s (all checks; suggestions only for flagged words); "
          f"total {time.monotonic() - started:.0f} s")
    print(f"writing: spelling_recall={recall:.3f} false_alarms_per_1000_words={per_1000:.2f} "
          f"texts_per_s={rate:.1f}")


if __name__ == "__main__":
    main()
