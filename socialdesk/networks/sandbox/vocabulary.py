"""The fixed topic vocabulary: what a post is about, read from its words and hashtags.

Each topic has, per language, the word a member would use for it (nominative, so it can stand
alone in a comment), the terms that reveal it in a text, and a few hashtags. A term ending in "*"
matches any word starting with it, which is how inflected languages (hr, sr, ru) are caught without
a stemmer: "kav*" finds kava, kave, kavu. Terms are chosen to be unambiguous rather than complete.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

import regex

from socialdesk.text.entities import hashtags as find_hashtags

LANGUAGES: tuple[str, ...] = ("en", "hr", "sr", "de", "es", "fr", "ru", "it", "pt")


@dataclass(frozen=True)
class TopicWords:
    word: str
    terms: tuple[str, ...]
    tags: tuple[str, ...]


def _w(word: str, terms: str, tags: str) -> TopicWords:
    # "_" joins a two-word term ("living_room"): it is matched against pairs of adjacent words.
    return TopicWords(word, tuple(t.replace("_", " ") for t in terms.split()), tuple(tags.split()))


TOPICS: dict[str, dict[str, TopicWords]] = {
    "food": {
        "en": _w("food", "food* recipe* restaurant* dinner* lunch* breakfast* brunch pizza* delicious tasty "
                 "coffee* cake* dessert* menu* chef*", "food foodie recipe instafood"),
        "hr": _w("hrana", "hran* jelo jela jelima recept* restoran* ručak ručk* doručak doručk* "
                 "večera večeru večere kava kave kavu kavom kolač* slastic* pizz* ukusn* kuhanj* gastro*",
                 "hrana gastro recepti"),
        "sr": _w("hrana", "hran* jelo jela recept* restoran* ručak ručk* doručak kafa kafe kafu kafom "
                 "kolač* ukusn* kuvanj* храна храну рецепт* ресторан* кафа кафу укусн*",
                 "hrana gastro recepti храна"),
        "de": _w("Essen", "essen lecker* rezept* restaurant* frühstück* mittagessen abendessen kaffee* "
                 "kuchen* kochen koch* speise*", "essen foodblogger lecker rezepte"),
        "es": _w("comida", "comida* receta* restaurante* cena* almuerzo* desayuno* delicios* café "
                 "tarta* cocina* postre*", "comida recetas gastronomia"),
        "fr": _w("cuisine", "cuisin* recette* restaurant* dîner déjeuner délicieu* café gâteau* dessert* "
                 "gourmand*", "cuisine recette gastronomie miam"),
        "ru": _w("еда", "еда еды еду рецепт* ресторан* ужин* обед* завтрак* вкусн* кофе торт* десерт* "
                 "кухн*", "еда рецепты вкусно"),
        "it": _w("cibo", "cibo ricett* ristorant* cena pranzo colazion* delizios* buonissim* caffè "
                 "dolci cucina*", "cibo ricette cucinaitaliana"),
        "pt": _w("comida", "comida* receita* restaurante* jantar* almoço* delicios* café bolo* "
                 "sobremesa* cozinha*", "comida receitas gastronomia"),
    },
    "travel": {
        "en": _w("travel", "travel* trip* vacation* holiday* beach* hotel* flight* island* sightseeing "
                 "wanderlust summer*", "travel wanderlust vacation travelgram"),
        "hr": _w("putovanje", "putovanj* putuj* ljet* odmor* plaž* hotel* otok* jadran* morsk* izlet* "
                 "turist* destinacij*", "putovanja ljeto odmor visitcroatia"),
        "sr": _w("putovanje", "putovanj* putuj* leto letovanj* odmor* plaž* hotel* ostrv* morsk* izlet* "
                 "путовањ* одмор* плаж* море", "putovanja leto odmor путовања"),
        "de": _w("Reisen", "reise* reisen urlaub* strand* hotel* flug* insel* sommer* ferien*",
                 "reisen urlaub fernweh"),
        "es": _w("viajes", "viaj* vacacion* playa* hotel* vuelo* isla* verano* turism*",
                 "viajes vacaciones verano"),
        "fr": _w("voyage", "voyag* vacances plage* hôtel* vol île* été séjour* tourism*",
                 "voyage vacances été"),
        "ru": _w("путешествия", "путешеств* отпуск* пляж* отел* поездк* остров* лето летом летн* море моря туризм*",
                 "путешествия отпуск лето"),
        "it": _w("viaggi", "viagg* vacanz* spiaggi* hotel* volo isola estate turism*",
                 "viaggi vacanze estate"),
        "pt": _w("viagens", "viage* férias praia* hotel* voo ilha* verão turism*",
                 "viagem ferias verao"),
    },
    "fashion": {
        "en": _w("fashion", "fashion* outfit* dress* style* wear* jacket* shoes sneaker* collection*",
                 "fashion ootd style outfit"),
        "hr": _w("moda", "moda modu mode modn* odjeć* haljin* outfit* stil stila jakn* cipel* tenisic* kolekcij*",
                 "moda ootd stil"),
        "sr": _w("moda", "moda modu mode modn* odeć* haljin* outfit* stil stila jakn* cipel* patik* kolekcij* "
                 "мода модн* одећ*",
                 "moda ootd stil мода"),
        "de": _w("Mode", "mode modisch* outfit* kleid* stil jacke* schuh* kollektion*", "mode ootd style"),
        "es": _w("moda", "moda* outfit* vestido* estilo* chaqueta* zapato* colección*", "moda ootd estilo"),
        "fr": _w("mode", "mode tenue* robe* style* veste* chaussure* collection*", "mode ootd style"),
        "ru": _w("мода", "мод* образ* плать* стил* куртк* обув* коллекци*", "мода стиль образ"),
        "it": _w("moda", "moda* outfit* vestit* stile* giacc* scarpe* collezion*", "moda ootd stile"),
        "pt": _w("moda", "moda* look* vestido* estilo* casaco* sapato* coleção*", "moda ootd estilo"),
    },
    "beauty": {
        "en": _w("beauty", "beauty* makeup* skincare* lipstick* cosmetic* hair* nails* salon*",
                 "beauty makeup skincare"),
        "hr": _w("ljepota", "ljepot* šmink* njega_kože njegu_kože kozmetik* kosa kosu kose nokt* salon*",
                 "ljepota makeup njegakože"),
        "sr": _w("lepota", "lepot* šmink* nega_kože negu_kože kozmetik* kosa kosu kose nokt* salon* лепот* шминк*",
                 "lepota makeup лепота"),
        "de": _w("Beauty", "beauty* schmink* hautpflege* kosmetik* haare* nägel* salon*",
                 "beauty makeup hautpflege"),
        "es": _w("belleza", "belleza* maquillaje* cosmétic* cabello* uñas* salón* piel",
                 "belleza maquillaje skincare"),
        "fr": _w("beauté", "beauté maquillage* cosmétique* cheveux ongles salon* peau soin*",
                 "beauté maquillage skincare"),
        "ru": _w("красота", "красот* макияж* косметик* волос* ногт* салон* кож* уход*",
                 "красота макияж уходзакожей"),
        "it": _w("bellezza", "bellezz* trucco* cosmetic* capelli unghie salone* pelle skincare",
                 "bellezza makeup skincare"),
        "pt": _w("beleza", "beleza* maquiagem* maquilhagem* cosmétic* cabelo* unhas salão* pele",
                 "beleza maquiagem skincare"),
    },
    "fitness": {
        "en": _w("fitness", "fitness* workout* gym* training* running* yoga* healthy* exercise* marathon*",
                 "fitness workout gym health"),
        "hr": _w("fitness", "fitness* trening* teretan* trčanj* joga* jogu zdravlj* vježb* maraton*",
                 "fitness trening zdravlje"),
        "sr": _w("fitnes", "fitnes* trening* teretan* trčanj* joga* jogu zdravlj* vežb* maraton* тренинг* "
                 "здрављ*", "fitnes trening zdravlje"),
        "de": _w("Fitness", "fitness* training* fitnessstudio* laufen* joggen* yoga* gesund* übung* "
                 "marathon*", "fitness training gesundheit"),
        "es": _w("fitness", "fitness* entrenamiento* gimnasio* correr* yoga* saludable* ejercicio* maratón*",
                 "fitness entrenamiento salud"),
        "fr": _w("sport", "fitness* entraînement* salle musculation* course* yoga* santé exercice* "
                 "marathon*", "fitness musculation santé"),
        "ru": _w("фитнес", "фитнес* трениров* спортзал* бег* йог* здоров* упражнени* марафон*",
                 "фитнес тренировка здоровье"),
        "it": _w("fitness", "fitness* allenament* palestra* corsa* yoga* salut* esercizi* maratona*",
                 "fitness allenamento salute"),
        "pt": _w("fitness", "fitness* treino* ginásio* academia* corrida* ioga* yoga* saudável* exercício* "
                 "maratona*", "fitness treino saude"),
    },
    "tech": {
        "en": _w("tech", "tech* software* app apps ai gadget* smartphone* laptop* startup* code* coding "
                 "developer*", "tech ai startup gadgets"),
        "hr": _w("tehnologija", "tehnolog* softver* aplikacij* ai gadget* mobitel* laptop* startup* "
                 "programir* umjetna_inteligencija", "tehnologija ai startup"),
        "sr": _w("tehnologija", "tehnolog* softver* aplikacij* ai gadžet* telefon* laptop* startap* "
                 "programir* технолог* апликациј*", "tehnologija ai startap"),
        "de": _w("Technik", "technik* technolog* software* app apps ki gadget* handy* laptop* startup* "
                 "programmier*", "technik ki startup"),
        "es": _w("tecnología", "tecnolog* software* app apps ia gadget* móvil* portátil* startup* "
                 "programa*", "tecnologia ia startup"),
        "fr": _w("tech", "tech* technolog* logiciel* appli* ia gadget* smartphone* ordinateur* startup* "
                 "développeur*", "tech ia startup"),
        "ru": _w("технологии", "технолог* софт* приложени* ии гаджет* смартфон* ноутбук* стартап* "
                 "программ*", "технологии стартап ии"),
        "it": _w("tecnologia", "tecnolog* software* app ia gadget* smartphone* portatil* startup* "
                 "programma*", "tecnologia ia startup"),
        "pt": _w("tecnologia", "tecnolog* software* aplicativo* app ia gadget* telemóvel* celular* "
                 "startup* programa*", "tecnologia ia startup"),
    },
    "music": {
        "en": _w("music", "music* concert* song* album* band* festival* gig* playlist* vinyl*",
                 "music livemusic concert"),
        "hr": _w("glazba", "glazb* muzik* koncert* pjesm* album* bend* festival* svirk*",
                 "glazba koncert muzika"),
        "sr": _w("muzika", "muzik* koncert* pesm* album* bend* festival* svirk* музик* концерт* песм*",
                 "muzika koncert музика"),
        "de": _w("Musik", "musik* konzert* lied* song* album* band* festival*", "musik konzert livemusik"),
        "es": _w("música", "música* musica* concierto* canción* álbum* banda* festival*",
                 "musica concierto"),
        "fr": _w("musique", "musique* concert* chanson* album* groupe* festival*", "musique concert"),
        "ru": _w("музыка", "музык* концерт* песн* альбом* групп* фестивал*", "музыка концерт"),
        "it": _w("musica", "musica* concerto* canzon* album* band* festival*", "musica concerto"),
        "pt": _w("música", "música* musica* concerto* canção* álbum* banda* festival*", "musica concerto"),
    },
    "sports": {
        "en": _w("sport", "football* soccer* match* basketball* tennis* team* goal* league* cycling*",
                 "sport football matchday"),
        "hr": _w("sport", "sport* nogomet* utakmic* košark* tenis* momčad* reprezentacij* gol golove "
                 "biciklizm*", "sport nogomet vatreni"),
        "sr": _w("sport", "sport* fudbal* utakmic* košark* tenis* tim reprezentacij* gol golove спорт* "
                 "фудбал* утакмиц*", "sport fudbal košarka"),
        "de": _w("Sport", "sport* fußball* spiel* basketball* tennis* mannschaft* tor tore liga* radsport*",
                 "sport fussball"),
        "es": _w("deporte", "deporte* fútbol* partido* baloncesto* tenis* equipo* gol* liga* ciclismo*",
                 "deporte futbol"),
        "fr": _w("sport", "sport* football* foot match* basket* tennis* équipe* ligue* cyclisme*",
                 "sport football"),
        "ru": _w("спорт", "спорт* футбол* матч* баскетбол* теннис* команд* гол голы лиг* велоспорт*",
                 "спорт футбол"),
        "it": _w("sport", "sport* calcio* partita* basket* tennis* squadra* gol* campionato* ciclismo*",
                 "sport calcio"),
        "pt": _w("desporto", "desporto* esporte* futebol* jogo* basquete* ténis* equipa* golo* gol* "
                 "campeonato*", "desporto futebol"),
    },
    "home": {
        "en": _w("home decor", "interior* decor* furniture* garden* kitchen* apartment* diy living_room",
                 "homedecor interior diy"),
        "hr": _w("dom", "interijer* uređenj* namještaj* vrt vrta vrtu vrtlar* kuhinj* stan stana stanu "
                 "dnevni_boravak dekoracij*",
                 "interijer dom uređenjedoma"),
        "sr": _w("dom", "enterijer* uređenj* nameštaj* bašt* kuhinj* stan stana stanu dnevna_soba dekoracij* "
                 "ентеријер* "
                 "намештај*", "enterijer dom"),
        "de": _w("Zuhause", "einricht* interior* möbel* garten* küche* wohnung* wohnzimmer* deko*",
                 "interior zuhause wohnen"),
        "es": _w("hogar", "hogar* decoración* muebles* jardín* cocina* piso* salón* interiorismo*",
                 "hogar decoracion interiorismo"),
        "fr": _w("maison", "maison* déco* décoration* meuble* jardin* appartement* salon* intérieur*",
                 "maison deco interieur"),
        "ru": _w("дом", "интерьер* ремонт* мебел* сад сада саду квартир* гостиная декор*", "интерьер дом ремонт"),
        "it": _w("casa", "arredament* interior* mobili* giardin* appartament* soggiorno* decor*",
                 "casa arredamento interior"),
        "pt": _w("casa", "decoração* móveis* jardim* apartamento* sala interiores*",
                 "casa decoracao interiores"),
    },
    "pets": {
        "en": _w("pets", "pet pets dog dogs doggo puppy* puppies cat cats kitten* vet vets adopt*",
                 "pets dogsofinstagram catlover"),
        "hr": _w("ljubimci", "ljubim* psa psi psu pasa štene* mačk* mačić* veterinar* udomi*",
                 "ljubimci psi mačke"),
        "sr": _w("ljubimci", "ljubim* psa psi pasa kuč* štene* mačk* mačić* veterinar* udomi* љубим* пас мачк*",
                 "ljubimci psi mačke"),
        "de": _w("Haustiere", "haustier* hund hunde hundes hündin welpe* katze* kätzchen* tierarzt* adoptier*",
                 "hund katze haustiere"),
        "es": _w("mascotas", "mascota* perro* cachorro* gato* gatito* veterinari* adopta*",
                 "mascotas perros gatos"),
        "fr": _w("animaux", "animal animaux chien* chiot* chaton* vétérinaire* adopt*",
                 "chien chat animaux"),
        "ru": _w("питомцы", "питом* собак* щен* кошк* кот котик* котён* ветеринар*",
                 "питомцы собаки кошки"),
        "it": _w("animali", "animali cane cani cucciol* gatto gatti gattin* veterinari* adotta*",
                 "cani gatti animali"),
        "pt": _w("animais", "animais pet cão cães cachorro* gato* gatinho* veterinári* adota*",
                 "caes gatos animais"),
    },
    "business": {
        "en": _w("business", "business* entrepreneur* marketing* sales* career* job* hiring* invest* "
                 "finance*", "business marketing entrepreneur"),
        "hr": _w("posao", "posao poslovn* poduzet* marketing* prodaj* karijer* zapošljav* investic* "
                 "financij* tvrtk*", "posao marketing poduzetništvo"),
        "sr": _w("posao", "posao poslovn* preduzet* marketing* prodaj* karijer* zapošljav* investic* "
                 "finansij* фирм* посао", "posao marketing biznis"),
        "de": _w("Business", "business* unternehm* marketing* verkauf* karriere* job* investi* "
                 "finanz*", "business marketing"),
        "es": _w("negocios", "negocio* emprend* marketing* venta ventas carrera* empleo* inversión* finanz*",
                 "negocios marketing emprendimiento"),
        "fr": _w("business", "business* entrepren* marketing* vente* carrière* emploi* recrut* "
                 "investiss* financ*", "business marketing entrepreneuriat"),
        "ru": _w("бизнес", "бизнес* предпринима* маркетинг* продаж* карьер* ваканси* инвест* финанс*",
                 "бизнес маркетинг"),
        "it": _w("business", "business* impresa imprese imprenditor* marketing* vendit* carriera* lavoro* investiment* "
                 "finanz*", "business marketing"),
        "pt": _w("negócios", "negócio* empreend* marketing* venda* carreira* emprego* investiment* "
                 "finan*", "negocios marketing empreendedorismo"),
    },
    "education": {
        "en": _w("learning", "learn* course* school* student* university* workshop* teacher* study* "
                 "books book", "education learning books"),
        "hr": _w("učenje", "uč* tečaj* škol* student* fakultet* radionic* profesor* knjig* edukacij*",
                 "edukacija učenje knjige"),
        "sr": _w("učenje", "uč* kurs* škol* student* fakultet* radionic* profesor* knjig* edukacij* "
                 "школ* књиг*", "edukacija učenje knjige"),
        "de": _w("Lernen", "lern* kurs* schule* student* universität* workshop* lehrer* studium* buch "
                 "bücher", "bildung lernen bücher"),
        "es": _w("aprendizaje", "aprend* curso* escuela* estudiant* universidad* taller* profesor* "
                 "libro*", "educacion aprender libros"),
        "fr": _w("apprentissage", "apprend* cours formation* école* étudiant* université* atelier* "
                 "professeur* livre livres", "éducation formation livres"),
        "ru": _w("обучение", "обучен* учеб* курс* школ* студент* университет* мастер-класс* "
                 "преподава* книг*", "обучение образование книги"),
        "it": _w("formazione", "impar* corso* scuola* student* università* workshop* insegnant* libr*",
                 "formazione libri scuola"),
        "pt": _w("educação", "aprend* curso* escola* estudant* universidade* workshop* professor* "
                 "livro*", "educacao livros"),
    },
    "events": {
        "en": _w("events", "event events party* opening* launch* tickets* weekend* celebrat* giveaway*",
                 "event party weekend giveaway"),
        "hr": _w("događanja", "događanj* doček* zabav* otvorenj* lansiranj* ulaznic* vikend* proslav* "
                 "nagradn*", "događanja vikend nagradnaigra"),
        "sr": _w("događaji", "događaj* žurk* zabav* otvaranj* ulaznic* vikend* proslav* nagradn* "
                 "журк* викенд*", "događaji vikend nagradnaigra"),
        "de": _w("Events", "event events party* eröffnung* launch* ticket* wochenende* feier* gewinnspiel*",
                 "event party gewinnspiel"),
        "es": _w("eventos", "evento* fiesta* inauguración* lanzamiento* entradas* finde "
                 "celebra* sorteo*", "eventos fiesta sorteo"),
        "fr": _w("événements", "événement* évènement* soirée* fête* ouverture* lancement* billet* "
                 "week-end* concours*", "événement soirée concours"),
        "ru": _w("события", "событи* мероприяти* вечеринк* открыти* запуск* билет* выходн* праздн* "
                 "розыгрыш*", "мероприятие вечеринка розыгрыш"),
        "it": _w("eventi", "evento* eventi festa* inaugurazion* lancio* bigliett* weekend* celebra* "
                 "concorso* giveaway*", "eventi festa giveaway"),
        "pt": _w("eventos", "evento* festa* inauguração* lançamento* bilhete* ingresso* "
                 "celebra* sorteio*", "eventos festa sorteio"),
    },
    "nature": {
        "en": _w("nature", "nature* hiking* mountain* forest* eco ecolog* sustainab* recycl* climate* green*",
                 "nature hiking sustainability"),
        "hr": _w("priroda", "prirod* planinar* planin* šuma šume šumu eko ekolog* održiv* recikl* zelen*",
                 "priroda planinarenje održivost"),
        "sr": _w("priroda", "prirod* planinar* planin* šuma šume šumu eko ekolog* održiv* recikl* zelen* природ* "
                 "планин*", "priroda planinarenje"),
        "de": _w("Natur", "natur naturschutz* wandern* berg* wald* öko ökolog* nachhaltig* recycl* klima* grün*",
                 "natur wandern nachhaltigkeit"),
        "es": _w("naturaleza", "naturaleza* senderismo* montaña* bosque* ecolog* sostenib* recicla* "
                 "clima* verde*", "naturaleza senderismo sostenibilidad"),
        "fr": _w("nature", "nature* randonnée* montagne* forêt* écolog* durable* recycl* climat* vert verte",
                 "nature randonnée écologie"),
        "ru": _w("природа", "природ* поход* горы гор горах лес леса лесу эколог* устойчив* переработк* климат* зелен*",
                 "природа поход экология"),
        "it": _w("natura", "natura* escursion* montagn* bosc* ecolog* sostenib* ricicl* clima* verde",
                 "natura trekking sostenibilita"),
        "pt": _w("natureza", "natureza* caminhada* montanha* floresta* ecolog* sustentáv* recicla* "
                 "clima* verde", "natureza trilha sustentabilidade"),
    },
    "gaming": {
        "en": _w("gaming", "gaming* gamer* videogame* playstation* xbox* nintendo* esports* stream*",
                 "gaming gamer esports"),
        "hr": _w("gaming", "gaming* gamer* igric* videoigr* playstation* xbox* nintendo* esport* "
                 "stream*", "gaming gamer igrice"),
        "sr": _w("gejming", "gejming* gaming* gamer* igric* video_igr* playstation* xbox* esport* "
                 "игриц*", "gaming gamer igrice"),
        "de": _w("Gaming", "gaming* gamer* videospiel* zocken* playstation* xbox* nintendo* esport*",
                 "gaming zocken"),
        "es": _w("videojuegos", "videojuego* gaming* gamer* playstation* xbox* nintendo* esports*",
                 "gaming videojuegos"),
        "fr": _w("jeux vidéo", "jeu_vidéo jeux_vidéo gaming* gamer* playstation* xbox* nintendo* esport*",
                 "gaming jeuxvideo"),
        "ru": _w("игры", "игр* гейм* видеоигр* playstation* xbox* nintendo* киберспорт* стрим*",
                 "игры гейминг"),
        "it": _w("videogiochi", "videogioc* gaming* gamer* playstation* xbox* nintendo* esport*",
                 "gaming videogiochi"),
        "pt": _w("jogos", "videojogo* videogame* gaming* gamer* playstation* xbox* nintendo* esports*",
                 "gaming jogos"),
    },
}

TOPIC_NAMES: tuple[str, ...] = tuple(TOPICS)

# Words that turn a post into a giveaway (comments become entries) or a sales post (more questions).
GIVEAWAY_TERMS = ("giveaway*", "nagradn*", "gewinnspiel*", "sorteo*", "concours*", "розыгрыш*",
                  "concorso*", "sorteio*", "contest*", "win", "osvoji*", "gewinn*", "gana*")
PRICE_TERMS = ("price*", "cijen*", "cena", "cenu", "cene", "preis*", "precio*", "prix", "цен*", "prezz*", "preço*",
               "sale", "discount*", "popust*", "rabatt*", "descuento*", "promo*", "akcij*", "скидк*",
               "sconto*", "desconto*", "€", "$")

_WORD_RE = regex.compile(r"[\p{L}\p{M}\p{N}][\p{L}\p{M}\p{N}'-]*|[€$]")


def fold(text: str) -> str:
    """Lower-case and keep diacritics (they carry meaning in hr/sr), but unify their encoding."""
    return unicodedata.normalize("NFC", text).casefold()


@dataclass(frozen=True)
class _Matcher:
    exact: dict[str, frozenset[str]]
    prefixes: dict[str, frozenset[str]]
    max_prefix: int


def _build(entries: dict[str, list[str]]) -> _Matcher:
    exact: dict[str, set[str]] = {}
    prefixes: dict[str, set[str]] = {}
    for topic, terms in entries.items():
        for term in terms:
            target = prefixes if term.endswith("*") else exact
            target.setdefault(fold(term.rstrip("*")), set()).add(topic)
    return _Matcher({k: frozenset(v) for k, v in exact.items()},
                    {k: frozenset(v) for k, v in prefixes.items()},
                    max((len(k) for k in prefixes), default=0))


@lru_cache(maxsize=1)
def _topic_matcher() -> _Matcher:
    entries: dict[str, list[str]] = {}
    for topic, per_language in TOPICS.items():
        terms = entries.setdefault(topic, [])
        for words in per_language.values():
            terms.extend(words.terms)
            terms.extend(words.tags)  # a hashtag written as a plain word still counts
    return _build(entries)


@lru_cache(maxsize=1)
def _flag_matcher() -> _Matcher:
    return _build({"giveaway": list(GIVEAWAY_TERMS), "price": list(PRICE_TERMS)})


def _hits(matcher: _Matcher, token: str) -> frozenset[str]:
    found = set(matcher.exact.get(token, ()))
    # A word pair only matches two-word terms: its prefixes must reach past the space.
    shortest = token.index(" ") + 2 if " " in token else 1
    for length in range(shortest, min(len(token), matcher.max_prefix) + 1):
        found |= matcher.prefixes.get(token[:length], frozenset())
    return frozenset(found)


def tokens(text: str) -> list[str]:
    """Words of a text, hashtag bodies included, folded; compound phrases also as word pairs."""
    words = _WORD_RE.findall(fold(text))
    return words + [f"{a} {b}" for a, b in pairwise(words)]


@dataclass(frozen=True)
class TextTopics:
    weights: dict[str, float]  # topic -> share of the topic hits, summing to 1 (empty: no topic found)
    hashtags: tuple[str, ...]  # as written, without '#'
    giveaway: bool
    price_talk: bool


def analyse(text: str) -> TextTopics:
    """Which topics a text is about (hashtags count double: they are chosen on purpose)."""
    counts: dict[str, float] = {}
    tags = tuple(span.value for span in find_hashtags(text))
    tag_set = {fold(tag) for tag in tags}
    giveaway = price = False
    matcher, flags = _topic_matcher(), _flag_matcher()
    for token in tokens(text):
        weight = 2.0 if token in tag_set else 1.0
        for topic in _hits(matcher, token):
            counts[topic] = counts.get(topic, 0.0) + weight
        flagged = _hits(flags, token)
        giveaway = giveaway or "giveaway" in flagged
        price = price or "price" in flagged
    total = sum(counts.values())
    weights = {topic: count / total for topic, count in sorted(counts.items())} if total else {}
    return TextTopics(weights, tags, giveaway, price)


def topic_word(topic: str, language: str) -> str:
    return TOPICS[topic].get(language, TOPICS[topic]["en"]).word


def topic_tags(topic: str, language: str) -> tuple[str, ...]:
    return TOPICS[topic].get(language, TOPICS[topic]["en"]).tags
