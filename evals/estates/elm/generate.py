# mypy: disable-error-code="index,assignment,arg-type,dict-item,attr-defined,operator,misc,var-annotated,annotation-unchecked"
# ruff: noqa: B007, B905, UP017, UP031, F841
# (a blind estate: its author's code is kept as written, checked by its tests, not retyped)
"""Build the blind labeled estate "elm" (see __init__.py for the story and the shapes).

stdlib + numpy only; deterministic: every random draw comes from generators seeded inside
``build``, so two builds write byte-identical folders.
"""
from __future__ import annotations

import csv
import io
import json
import math
import sys
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np

SEED = 20261126
UTC = timezone.utc
BRT = timezone(timedelta(hours=-3))  # America/Sao_Paulo, no DST since 2019
START_LOCAL = datetime(2026, 10, 26, 0, 0, tzinfo=BRT)
DAYS = 36
START = START_LOCAL.astimezone(UTC)
END = START + timedelta(days=DAYS)

HOLIDAYS = {
    date(2026, 11, 2): "Finados",
    date(2026, 11, 15): "Proclamação da República (domingo)",
    date(2026, 11, 20): "Dia Nacional de Zumbi e da Consciência Negra",
}
COMPANY_DAYS = {date(2026, 10, 30): "Recesso interno (Dia da Família Elm)"}
DB = "estudio_elm"

# business-hour shape, local hours 0..23
HOUR_W = np.array([0.03, 0.02, 0.02, 0.02, 0.03, 0.05, 0.12, 0.35, 0.8, 1.0, 1.0, 1.0,
                   0.7, 0.85, 1.0, 1.0, 1.0, 0.9, 0.6, 0.35, 0.2, 0.12, 0.08, 0.05])


class Rng:
    """One seeded source of randomness per build (numpy Generator)."""

    def __init__(self, seed: int):
        self.g = np.random.default_rng(seed)

    def uuid(self) -> str:
        return str(uuid.UUID(bytes=self.g.bytes(16), version=4))

    def hex(self, n: int) -> str:
        return self.g.bytes((n + 1) // 2).hex()[:n]

    def choice(self, seq):
        return seq[int(self.g.integers(0, len(seq)))]

    def rand(self) -> float:
        return float(self.g.random())

    def randint(self, a: int, b: int) -> int:  # inclusive
        return int(self.g.integers(a, b + 1))

    def poisson(self, lam: float) -> int:
        return int(self.g.poisson(max(lam, 0.0)))

    def lognormal(self, mu: float, sigma: float) -> float:
        return float(self.g.lognormal(mu, sigma))


def day_kind(d: date) -> str:
    if d in HOLIDAYS:
        return "holiday"
    if d in COMPANY_DAYS:
        return "company"
    if d.weekday() >= 5:
        return "weekend"
    return "business"


def business_days_left(d: date) -> int:
    """Business days from d to the end of its month, d included."""
    n, cur = 0, d
    while cur.month == d.month:
        if day_kind(cur) == "business":
            n += 1
        cur += timedelta(days=1)
    return n


def hours():
    """Yield (hour_start_utc, local_datetime) for every hour of the period."""
    t = START
    while t < END:
        yield t, t.astimezone(BRT)
        t += timedelta(hours=1)


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def epoch_ms(t: datetime) -> int:
    return int(round(t.timestamp() * 1000))


def in_window(t: datetime, a: datetime, b: datetime) -> bool:
    return a <= t < b


def Z(s: str) -> datetime:
    """Parse a UTC time written '2026-11-05T15:05'."""
    return datetime.fromisoformat(s).replace(tzinfo=UTC)


def zs(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# ----------------------------------------------------------------------------- incidents (UTC)
W = {
    "rd_cred": (Z("2026-11-05T15:05"), Z("2026-11-05T20:40")),
    "rd_429": (Z("2026-11-12T17:00"), Z("2026-11-12T19:40")),
    "pix_dup_partner": (Z("2026-11-11T11:00"), Z("2026-11-12T15:00")),
    "pix_replay": (Z("2026-11-19T17:55"), Z("2026-11-19T18:40")),
    "pix_replay_src": (Z("2026-11-19T11:00"), Z("2026-11-19T13:30")),
    "pix_unmarshal": (Z("2026-11-25T12:00"), Z("2026-11-26T14:20")),
    "nfse_latency": (Z("2026-11-17T16:30"), Z("2026-11-17T20:45")),
    "nfse_v43": (Z("2026-11-24T13:12"), Z("2026-11-24T15:41")),
    "jira_silent": (Z("2026-11-15T02:59"), Z("2026-11-17T14:32")),
    "jira_project": (Z("2026-11-23T13:00"), Z("2026-11-26T18:05")),
    "cnab_layout": (Z("2026-11-18T10:30"), Z("2026-11-19T19:10")),
    "maintenance": (Z("2026-11-15T01:00"), Z("2026-11-15T02:59")),
}


# ----------------------------------------------------------------------------- CNPJ / CPF
def cnpj_digits(root8: str, order4: str) -> str:
    base = root8 + order4
    w1 = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]
    s = sum(int(c) * w for c, w in zip(base, w1))
    d1 = 0 if s % 11 < 2 else 11 - s % 11
    base += str(d1)
    w2 = [6] + w1
    s = sum(int(c) * w for c, w in zip(base, w2))
    d2 = 0 if s % 11 < 2 else 11 - s % 11
    return base + str(d2)


def fmt_cnpj(d: str) -> str:
    return f"{d[:2]}.{d[2:5]}.{d[5:8]}/{d[8:12]}-{d[12:]}"


def cpf_digits(nine: str) -> str:
    s = sum(int(c) * w for c, w in zip(nine, range(10, 1, -1)))
    d1 = (s * 10 % 11) % 10
    s = sum(int(c) * w for c, w in zip(nine + str(d1), range(11, 1, -1)))
    d2 = (s * 10 % 11) % 10
    return nine + str(d1) + str(d2)


def fmt_cpf(d: str) -> str:
    return f"{d[:3]}.{d[3:6]}.{d[6:9]}-{d[9:]}"


# ----------------------------------------------------------------------------- records
FIRST = ["Ana", "Maria", "Juliana", "Fernanda", "Patrícia", "Camila", "Aline", "Beatriz", "Larissa",
         "Renata", "Carla", "Luciana", "Tatiane", "Vanessa", "Priscila", "Gabriela", "Mariana",
         "José", "João", "Carlos", "Paulo", "Lucas", "Marcos", "Rafael", "Rodrigo", "Bruno",
         "Felipe", "Gustavo", "André", "Fábio", "Thiago", "Leandro", "Ricardo", "Eduardo",
         "Marcelo", "Daniel", "Vinícius", "Diego", "Sérgio", "Antônio", "Luiz", "Fernando"]
LAST = ["Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima",
        "Gomes", "Costa", "Ribeiro", "Martins", "Carvalho", "Almeida", "Lopes", "Soares", "Fernandes",
        "Vieira", "Barbosa", "Rocha", "Dias", "Nascimento", "Andrade", "Moreira", "Nunes", "Marques",
        "Machado", "Mendes", "Freitas", "Cardoso", "Ramos", "Gonçalves", "Santana", "Teixeira",
        "Araújo", "Pinto", "Correia", "Moura", "Cavalcanti", "Barros", "Monteiro", "Campos"]
CORE = ["Aurora", "Horizonte", "Paulista", "Bandeirantes", "Ipiranga", "Tietê", "Mantiqueira",
        "Serra Azul", "Vale Verde", "Atlântico", "Cruzeiro", "Imperial", "Pioneira", "Guarani",
        "Jequitibá", "Ipê", "Araucária", "Cantareira", "Itapuã", "Morumbi", "Pinheiros", "Anhangabaú",
        "Jabaquara", "Lapa", "Mooca", "Tatuapé", "Vila Mariana", "Brooklin", "Butantã", "Perdizes",
        "Santa Cecília", "Consolação", "Liberdade", "Aclimação", "Cambuci", "Penha", "Ibirapuera",
        "Jaraguá", "Paraíso", "Sumaré", "Alto da Boa Vista", "Granja Viana", "Alphaville", "Tamboré",
        "Estrela", "Farol", "Âncora", "Bússola", "Prisma", "Nexo", "Vértice", "Órbita", "Sigma",
        "Delta", "Alfa", "Ômega", "Zênite", "Ártico", "Boreal", "Solar", "Lunar", "Cometa"]
ACT = ["Comércio de Alimentos", "Distribuidora de Bebidas", "Indústria Metalúrgica", "Transportes",
       "Engenharia", "Tecnologia", "Serviços Médicos", "Odontologia", "Construtora", "Autopeças",
       "Confecções", "Materiais Elétricos", "Logística", "Clínica Veterinária", "Farmácia",
       "Padaria e Confeitaria", "Restaurante", "Imobiliária", "Escola de Idiomas", "Academia",
       "Representações", "Informática", "Papelaria", "Gráfica", "Embalagens", "Plásticos",
       "Móveis", "Vidraçaria", "Ótica", "Laboratório", "Agropecuária", "Cosméticos"]
SUFFIX = ["Ltda", "Ltda", "Ltda", "Ltda", "S.A.", "ME", "EPP", "Eireli"]
ABBR = [("Comércio", "Com."), ("Indústria", "Ind."), ("Distribuidora", "Distr."),
        ("Transportes", "Transp."), ("Engenharia", "Eng."), ("Serviços", "Serv."),
        ("Tecnologia", "Tec."), ("Materiais", "Mat."), ("Representações", "Repres.")]
CITIES = [("São Paulo", "São Paulo (BR)", "01"), ("São Paulo", "São Paulo (BR)", "04"),
          ("São Paulo", "São Paulo (BR)", "05"), ("Campinas", "São Paulo (BR)", "13"),
          ("Santo André", "São Paulo (BR)", "09"), ("Osasco", "São Paulo (BR)", "06"),
          ("Guarulhos", "São Paulo (BR)", "07"), ("Barueri", "São Paulo (BR)", "06"),
          ("Sorocaba", "São Paulo (BR)", "18"), ("Santos", "São Paulo (BR)", "11"),
          ("Rio de Janeiro", "Rio de Janeiro (BR)", "20"), ("Belo Horizonte", "Minas Gerais (BR)", "30"),
          ("Curitiba", "Paraná (BR)", "80")]
STREETS = ["Rua", "Avenida", "Alameda", "Rua", "Rua", "Travessa"]
FILIAL_CITIES = ["Campinas", "Ribeirão Preto", "Santos", "Sorocaba", "Jundiaí", "São José dos Campos"]


def strip_accents(s: str) -> str:
    tbl = str.maketrans("áàâãéêíóôõúüçÁÀÂÃÉÊÍÓÔÕÚÜÇ", "aaaaeeiooouucAAAAEEIOOOUUC")
    return s.translate(tbl)


def slug(s: str) -> str:
    s = strip_accents(s).lower()
    return "".join(c for c in s if c.isalnum())


def typo(rng: Rng, s: str) -> str:
    letters = [i for i, c in enumerate(s) if c.isalpha()]
    if len(letters) < 4:
        return s + "a"
    k = rng.randint(0, 2)
    i = letters[rng.randint(1, len(letters) - 2)]
    if k == 0 and i + 1 < len(s) and s[i + 1].isalpha():  # swap
        return s[:i] + s[i + 1] + s[i] + s[i + 2:]
    if k == 1:  # drop
        return s[:i] + s[i + 1:]
    return s[:i] + s[i] + s[i:]  # double


class Partners:
    def __init__(self, rng: Rng):
        self.rng = rng
        self.rows: list[dict] = []
        self.entity: dict[int, str] = {}
        self.hard: list[tuple[int, int, str]] = []
        self.next_id = 7
        self.roots: set[str] = set()
        self.companies: list[dict] = []
        self.merge_pairs: list[tuple[int, int]] = []
        self.by_id: dict[int, dict] = {}
        self.domains: set[str] = set()

    def _id(self) -> int:
        i = self.next_id
        self.next_id += 1 if self.rng.rand() < 0.9 else self.rng.randint(2, 6)
        return i

    def _root(self) -> str:
        while True:
            r = f"{self.rng.randint(10000000, 99999999)}"
            if r not in self.roots:
                self.roots.add(r)
                return r

    def _created(self, lo: datetime, hi: datetime) -> datetime:
        span = (hi - lo).total_seconds()
        t = lo + timedelta(seconds=self.rng.rand() * span)
        return t.replace(microsecond=0)

    def add(self, **kw) -> dict:
        r = {"id": self._id(), "name": "", "is_company": False, "parent": "", "parent_id": None,
             "id_type": "", "vat": "", "email": "", "phone": "", "street": "", "city": "", "state": "",
             "zip": "", "country": "Brasil", "ref": "", "active": True,
             "create": None, "write": None}
        r.update(kw)
        if r["create"] is None:
            r["create"] = self._created(datetime(2019, 3, 1, tzinfo=UTC), datetime(2026, 10, 20, tzinfo=UTC))
        if r["write"] is None:
            w = r["create"] + timedelta(days=self.rng.randint(0, 400), seconds=self.rng.randint(0, 86000))
            r["write"] = min(w, datetime(2026, 11, 28, 18, 0, tzinfo=UTC))
        self.rows.append(r)
        self.by_id[r["id"]] = r
        self.entity[r["id"]] = kw.get("_entity") or f"p{r['id']}"
        r.pop("_entity", None)
        return r

    def phone(self, ddd="11") -> str:
        if self.rng.rand() < 0.6:
            return f"+55 {ddd} 9{self.rng.randint(1000, 9999)}-{self.rng.randint(1000, 9999)}"
        return f"+55 {ddd} {self.rng.randint(2000, 5999)}-{self.rng.randint(1000, 9999)}"

    def address(self):
        city, state, z2 = self.rng.choice(CITIES)
        street = f"{self.rng.choice(STREETS)} {self.rng.choice(LAST + CORE)}, {self.rng.randint(12, 3900)}"
        zp = f"{z2}{self.rng.randint(100, 999)}-{self.rng.randint(0, 999):03d}"
        return street, city, state, zp

    def company_name(self) -> str:
        r = self.rng.rand()
        if r < 0.45:
            return f"{self.rng.choice(CORE)} {self.rng.choice(ACT)} {self.rng.choice(SUFFIX)}"
        if r < 0.75:
            return f"{self.rng.choice(LAST)} & {self.rng.choice(LAST)} {self.rng.choice(ACT)} {self.rng.choice(SUFFIX)}"
        return f"{self.rng.choice(ACT)} {self.rng.choice(LAST)} {self.rng.choice(SUFFIX)}"

    def build(self):
        rng = self.rng
        names_used: set[str] = set()
        # the firm itself is partner 1 (not exported as a client); clients start at 7
        n_comp = 760
        for k in range(n_comp):
            while True:
                nm = self.company_name()
                if slug(nm) not in names_used:
                    names_used.add(slug(nm))
                    break
            root = self._root()
            vat = fmt_cnpj(cnpj_digits(root, "0001"))
            street, city, state, zp = self.address()
            stem = slug(" ".join(w for w in nm.split()[:2] if w != "&"))[:18]
            dom = stem + rng.choice([".com.br", ".com.br", ".com", ".net.br"])
            while dom in self.domains:
                dom = stem + str(rng.randint(2, 99)) + ".com.br"
            self.domains.add(dom)
            c = self.add(name=nm, is_company=True, id_type="CNPJ", vat=vat, email=f"financeiro@{dom}",
                         phone=self.phone(), street=street, city=city, state=state, zip=zp,
                         ref=f"CLI-{1000 + k:04d}")
            c["_root"], c["_dom"] = root, dom
            self.companies.append(c)
            for _ in range(rng.randint(1, 3)):
                fn, ln = rng.choice(FIRST), rng.choice(LAST)
                self.add(name=f"{fn} {ln}", parent=nm, parent_id=c["id"],
                         email=f"{slug(fn)}.{slug(ln)}@{dom}", phone=self.phone(),
                         street=street, city=city, state=state, zip=zp)
        # individuals (pessoa física clients: IRPF / MEI owners)
        for _ in range(260):
            fn, ln, ln2 = rng.choice(FIRST), rng.choice(LAST), rng.choice(LAST)
            street, city, state, zp = self.address()
            cpf = fmt_cpf(cpf_digits(f"{rng.randint(100000000, 999999999)}"))
            self.add(name=f"{fn} {ln2} {ln}", id_type="CPF", vat=cpf,
                     email=f"{slug(fn)}{slug(ln)}{rng.randint(1, 99)}@gmail.com", phone=self.phone(),
                     street=street, city=city, state=state, zip=zp)
        # vendors / suppliers
        for _ in range(120):
            nm = f"{rng.choice(CORE)} {rng.choice(['Papelaria', 'Informática', 'Telecom', 'Locação de Equipamentos', 'Limpeza', 'Software'])} {rng.choice(SUFFIX)}"
            if slug(nm) in names_used:
                continue
            names_used.add(slug(nm))
            street, city, state, zp = self.address()
            self.add(name=nm, is_company=True, id_type="CNPJ", vat=fmt_cnpj(cnpj_digits(self._root(), "0001")),
                     email=f"contato@{slug(nm.split()[0])}.com.br", phone=self.phone(),
                     street=street, city=city, state=state, zip=zp)

        comps = list(self.companies)
        order = rng.g.permutation(len(comps))
        pick = [comps[i] for i in order]
        cursor = 0

        def take(n):
            nonlocal cursor
            out = pick[cursor:cursor + n]
            cursor += n
            return out

        imp_time = datetime(2026, 11, 10, 22, 5, 0, tzinfo=UTC)
        # 1) re-import of 10/11 (evening) (old system spreadsheet): UPPERCASE, bare digits, no e-mail
        for j, c in enumerate(take(20)):
            d = self.add(name=strip_accents(c["name"]).upper(), is_company=True, id_type="CNPJ",
                         vat=cnpj_digits(c["_root"], "0001"), phone=c["phone"] if j % 3 else "",
                         city=c["city"], state=c["state"], zip=c["zip"].replace("-", ""),
                         create=imp_time + timedelta(seconds=j * 2), write=imp_time + timedelta(seconds=j * 2),
                         _entity=self.entity[c["id"]])
            if j < 6:
                self.merge_pairs.append((c["id"], d["id"]))
        # 2) typo duplicates
        for c in take(26):
            self.add(name=typo(rng, c["name"]), is_company=True, id_type="CNPJ" if rng.rand() < 0.5 else "",
                     vat=c["vat"] if rng.rand() < 0.5 else "", email=c["email"], phone=c["phone"],
                     street=c["street"], city=c["city"], state=c["state"], zip=c["zip"],
                     _entity=self.entity[c["id"]])
        # 3) abbreviations / legal-form variants
        for c in take(40):
            nm = c["name"]
            changed = nm
            for full, ab in ABBR:
                if full in changed:
                    changed = changed.replace(full, ab)
            if changed == nm:
                changed = nm.replace(" Ltda", " Limitada") if " Ltda" in nm else strip_accents(nm)
            if changed == nm:
                continue
            self.add(name=changed, is_company=True, id_type="CNPJ", vat=c["vat"].replace(".", "").replace("/", "").replace("-", "") if rng.rand() < 0.4 else c["vat"],
                     email="", phone=c["phone"], street=c["street"], city=c["city"], state=c["state"],
                     zip=c["zip"], _entity=self.entity[c["id"]])
        # 4) missing tax id, same phone/e-mail (created by the sales team from a business card)
        for c in take(12):
            self.add(name=c["name"].replace(" Ltda", "").replace(" S.A.", ""), is_company=True,
                     email=c["email"].upper() if rng.rand() < 0.3 else c["email"], phone=c["phone"],
                     city=c["city"], state=c["state"], _entity=self.entity[c["id"]])
        # 5) duplicated contacts (same person, same company)
        contacts = [r for r in self.rows if r["parent_id"] and not r["is_company"]]
        for idx in rng.g.permutation(len(contacts))[:32]:
            p = contacts[int(idx)]
            nm = strip_accents(p["name"]) if strip_accents(p["name"]) != p["name"] else p["name"].split()[0] + " " + p["name"].split()[-1][0] + "."
            if rng.rand() < 0.4:
                nm = p["name"].upper()
            self.add(name=nm, parent=p["parent"], parent_id=p["parent_id"], email=p["email"].capitalize(),
                     phone="" if rng.rand() < 0.5 else p["phone"], city=p["city"], state=p["state"],
                     _entity=self.entity[p["id"]])
        # hard negatives: matriz / filial (same CNPJ root, another establishment)
        for c in take(22):
            city = rng.choice(FILIAL_CITIES)
            f = self.add(name=f"{c['name']} - Filial {city}", is_company=True, id_type="CNPJ",
                         vat=fmt_cnpj(cnpj_digits(c["_root"], "0002")), email=c["email"].replace("financeiro@", f"filial.{slug(city)[:6]}@"),
                         phone=self.phone("19" if city == "Campinas" else "15"), city=city, state="São Paulo (BR)",
                         street=f"Rua {rng.choice(LAST)}, {rng.randint(10, 999)}", zip=f"13{rng.randint(100, 999)}-{rng.randint(0, 999):03d}")
            self.hard.append((c["id"], f["id"], "matriz e filial: mesmo CNPJ raiz, estabelecimentos distintos"))
        # hard negatives: same person name at two firms
        people = [r for r in self.rows if r["parent_id"] and not r["is_company"] and r["id"] < 4000]
        firms = [r for r in self.companies]
        for k in range(16):
            p = people[int(rng.g.integers(0, len(people)))]
            other = firms[int(rng.g.integers(0, len(firms)))]
            if other["id"] == p["parent_id"]:
                continue
            fn = p["name"].split()[0]
            ln = p["name"].split()[-1]
            q = self.add(name=p["name"], parent=other["name"], parent_id=other["id"],
                         email=f"{slug(fn)}.{slug(ln)}@{other['_dom']}", phone=self.phone(),
                         city=other["city"], state=other["state"])
            self.hard.append((p["id"], q["id"], "mesmo nome de pessoa em empresas diferentes"))
        # hard negatives: look-alike names, different companies (different CNPJ)
        for c in take(12):
            nm = c["name"]
            alt = nm.replace("Alfa", "Alpha") if "Alfa" in nm else (nm.split()[0] + " Nova " + " ".join(nm.split()[1:]))
            street, city, state, zp = self.address()
            q = self.add(name=alt, is_company=True, id_type="CNPJ", vat=fmt_cnpj(cnpj_digits(self._root(), "0001")),
                         email=f"adm@{slug(alt.split()[0])}nova.com.br", phone=self.phone(), street=street,
                         city=city, state=state, zip=zp)
            self.hard.append((c["id"], q["id"], "nome parecido, outra empresa (CNPJ diferente)"))
        # a few archived partners
        keep = {x for pair in self.merge_pairs for x in pair}
        for r in self.rows[::97]:
            if r["id"] not in keep:
                r["active"] = False


PT_PARTNER_HEADER = ["ID", "Nome", "É uma empresa", "Empresa relacionada", "Tipo de identificação",
                     "Número de identificação", "E-mail", "Telefone", "Rua", "Cidade", "Estado", "CEP",
                     "País", "Referência", "Ativo", "Criado em", "Última atualização em"]


def odoo_dt(t: datetime | None) -> str:
    return "" if t is None else t.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def write_partners(P: Partners, path: Path):
    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\n")
    w.writerow(PT_PARTNER_HEADER)
    for r in sorted(P.rows, key=lambda r: r["id"]):
        w.writerow([r["id"], r["name"], "True" if r["is_company"] else "False", r["parent"],
                    r["id_type"], r["vat"], r["email"], r["phone"], r["street"], r["city"], r["state"],
                    r["zip"], r["country"] if (r["city"] or r["vat"]) else "", r["ref"],
                    "True" if r["active"] else "False", odoo_dt(r["create"]), odoo_dt(r["write"])])
    path.write_text(buf.getvalue(), encoding="utf-8")


# ----------------------------------------------------------------------------- projects
SERVICES = ["Contabilidade mensal", "Folha de pagamento", "BPO financeiro", "Implantação Odoo",
            "Consultoria tributária", "Planejamento tributário", "Auditoria interna", "Encerramento contábil",
            "Suporte de TI", "Migração para nuvem", "LGPD - adequação", "Reforma tributária - diagnóstico",
            "Integração bancária (CNAB/Pix)", "Business Intelligence", "Revisão de SPED Fiscal"]
PMS = ["Fernanda Rocha", "Rodrigo Almeida", "Camila Nunes", "Thiago Barros", "Juliana Prado",
       "Marcelo Teixeira", "Aline Moura"]


class Projects:
    def __init__(self, rng: Rng, P: Partners):
        self.rng, self.P = rng, P
        self.rows: list[dict] = []
        self.entity: dict[int, str] = {}
        self.hard: list[tuple[int, int, str]] = []
        self.next_id = 1
        self.jira_dup: tuple[int, int] | None = None
        self.jira_keys: dict[str, int] = {}

    def add(self, **kw) -> dict:
        r = {"id": self.next_id, "name": "", "partner": "", "pm": "", "start": "", "end": "",
             "active": True, "company": "Elm Contabilidade e Tecnologia Ltda", "tags": "", "write": None}
        self.next_id += 1 if self.rng.rand() < 0.85 else self.rng.randint(2, 4)
        ent = kw.pop("_entity", None)
        r.update(kw)
        if r["write"] is None:
            r["write"] = datetime(2026, 1, 5, tzinfo=UTC) + timedelta(seconds=self.rng.randint(0, 300 * 86400))
        self.rows.append(r)
        self.entity[r["id"]] = ent or f"j{r['id']}"
        return r

    def build(self):
        rng = self.rng
        comps = self.P.companies
        used = set()
        keys_used = set()
        for k in range(300):
            c = comps[int(rng.g.integers(0, len(comps)))]
            svc = rng.choice(SERVICES)
            short = c["name"].replace(" Ltda", "").replace(" S.A.", "").replace(" ME", "").replace(" EPP", "").replace(" Eireli", "")
            year = rng.choice(["2025", "2026", "2026"])
            nm = f"{svc} - {short}" if svc not in ("Encerramento contábil",) else f"{svc} {year} - {short}"
            if nm in used:
                continue
            used.add(nm)
            while True:
                key = "".join(ch for ch in strip_accents(short).upper() if ch.isalpha())[:3] + rng.choice("ABCDEFGHJKLMNPRSTUVWXZ")
                if key not in keys_used:
                    keys_used.add(key)
                    break
            st = date(2025, 1, 6) + timedelta(days=rng.randint(0, 640))
            en = st + timedelta(days=rng.randint(60, 540)) if rng.rand() < 0.6 else None
            tags = rng.choice(["Recorrente", "Projeto", "TI", "Fiscal", "", "Recorrente"])
            r = self.add(name=f"[{key}] {nm}", partner=c["name"], pm=rng.choice(PMS), start=st.strftime("%Y-%m-%d"),
                         end=en.strftime("%Y-%m-%d") if en else "", tags=tags)
            r["_key"], r["_short"], r["_svc"] = key, short, svc
            self.jira_keys[key] = r["id"]
        base = list(self.rows)
        perm = [base[int(i)] for i in rng.g.permutation(len(base))]
        cur = 0

        def take(n):
            nonlocal cur
            out = perm[cur:cur + n]
            cur += n
            return out

        # the Jira-linked duplicate: a copy made with "Duplicar" on 23/11, key kept
        orig = next(r for r in perm if r["_svc"] in ("Implantação Odoo", "Suporte de TI", "Migração para nuvem"))
        perm.remove(orig)
        cp = self.add(name=orig["name"] + " (cópia)", partner=orig["partner"], pm=orig["pm"], start=orig["start"],
                      end=orig["end"], tags=orig["tags"], write=datetime(2026, 11, 23, 12, 47, 31, tzinfo=UTC),
                      _entity=self.entity[orig["id"]])
        self.jira_dup = (orig["id"], cp["id"])
        self.jira_key_dup = orig["_key"]
        for r in take(9):  # more copies
            self.add(name=r["name"] + " (cópia)", partner=r["partner"], pm=r["pm"], start=r["start"], end="",
                     tags=r["tags"], _entity=self.entity[r["id"]])
        for r in take(8):  # re-import from the old PSA: no key prefix, upper case
            self.add(name=r["name"].split("] ", 1)[1].upper(), partner=r["partner"], pm="", start=r["start"],
                     _entity=self.entity[r["id"]])
        for r in take(7):  # typo
            self.add(name=typo(rng, r["name"]), partner=r["partner"], pm=r["pm"], start=r["start"],
                     _entity=self.entity[r["id"]])
        # hard negatives: phase 2 with its own key
        for r in take(14):
            key2 = r["_key"][:3] + "2"
            nm = r["name"].split("] ", 1)[1]
            q = self.add(name=f"[{key2}] {nm} - Fase 2", partner=r["partner"], pm=r["pm"],
                         start=(date.fromisoformat(r["start"]) + timedelta(days=200)).strftime("%Y-%m-%d"))
            self.hard.append((r["id"], q["id"], "fase 2 com código próprio"))
        # hard negatives: same service, next year's closing
        for r in [x for x in perm[cur:] if x["_svc"] == "Encerramento contábil"][:8]:
            nm = r["name"]
            other = nm.replace("2025", "2026") if "2025" in nm else nm.replace("2026", "2025")
            other = other.replace(f"[{r['_key']}]", f"[{r['_key'][:3]}Y]")
            q = self.add(name=other, partner=r["partner"], pm=r["pm"], start=r["start"])
            self.hard.append((r["id"], q["id"], "encerramento de outro exercício"))
        # hard negatives: same service for the filial
        filial = {a: b for a, b, _ in self.P.hard if "filial" in _}
        for r in perm[cur:cur + 60]:
            cid = next((c["id"] for c in comps if c["name"] == r["partner"]), None)
            if cid in filial and len([h for h in self.hard if "filial" in h[2]]) < 8:
                fil = self.P.by_id[filial[cid]]
                q = self.add(name=f"[{r['_key'][:3]}F] {r['_svc']} - {fil['name'].replace(' Ltda', '')}",
                             partner=fil["name"], pm=r["pm"], start=r["start"])
                self.hard.append((r["id"], q["id"], "mesmo serviço para a filial (outro cliente)"))
        for r in self.rows[::41]:
            if r["id"] not in self.jira_dup:
                r["active"] = False


PT_PROJECT_HEADER = ["ID", "Nome", "Cliente", "Gerente do projeto", "Data de início", "Data de término",
                     "Ativo", "Empresa", "Marcadores", "Última atualização em"]


def write_projects(J: Projects, path: Path):
    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\n")
    w.writerow(PT_PROJECT_HEADER)
    for r in sorted(J.rows, key=lambda r: r["id"]):
        w.writerow([r["id"], r["name"], r["partner"], r["pm"], r["start"], r["end"],
                    "True" if r["active"] else "False", r["company"], r["tags"], odoo_dt(r["write"])])
    path.write_text(buf.getvalue(), encoding="utf-8")


# ----------------------------------------------------------------------------- CloudWatch helpers
class CloudWatch:
    """Events as `aws logs filter-log-events --output json | jq -c '.events[]'` prints them."""

    def __init__(self, rng: Rng, group: str):
        self.rng, self.group = rng, group
        self.events: list[tuple[int, str, str]] = []  # (ts_ms, stream, message)
        self.streams: dict[tuple, str] = {}

    def stream(self, day: date, version: str, slot: int) -> str:
        k = (day, version, slot)
        if k not in self.streams:
            self.streams[k] = f"{day:%Y/%m/%d}/[{version}]{self.rng.hex(32)}"
        return self.streams[k]

    def put(self, t: datetime, stream: str, msg: str):
        self.events.append((epoch_ms(t), stream, msg))

    def write(self, path: Path):
        self.events.sort(key=lambda e: e[0])
        ev_seq = 0
        with path.open("w", encoding="utf-8") as f:
            for ts, stream, msg in self.events:
                ev_seq += 1
                ing = ts + 180 + (ev_seq * 7919) % 2400
                eid = f"{(ts * 1000 + ev_seq % 1000) * 10**40 + (ev_seq * 0x9E3779B97F4A7C15 * ts) % 10**40:056d}"
                f.write(json.dumps({"logStreamName": stream, "timestamp": ts, "message": msg,
                                    "ingestionTime": ing, "eventId": eid[:56]}, ensure_ascii=False) + "\n")


def report_line(rid: str, dur: float, mem_size: int, mem_used: int, init: float | None) -> str:
    s = (f"REPORT RequestId: {rid}\tDuration: {dur:.2f} ms\tBilled Duration: {math.ceil(dur + (init or 0))} ms\t"
         f"Memory Size: {mem_size} MB\tMax Memory Used: {mem_used} MB\t")
    if init is not None:
        s += f"Init Duration: {init:.2f} ms\t"
    return s + "\n"


# ----------------------------------------------------------------------------- flow 1: NFS-e Lambda (Node.js)
NFSE_REJ = [("1301", "CPF/CNPJ do tomador inválido."),
            ("1338", "Inscrição Municipal do tomador não confere com o CPF/CNPJ informado."),
            ("1110", "Data de emissão do RPS posterior à data de envio.")]


def gen_nfse(rng: Rng, P: Partners, facts: dict) -> CloudWatch:
    cw = CloudWatch(rng, "/aws/lambda/nfse-emissor-sp")
    comps = [c for c in P.companies]
    seq = {"fat": 4810, "rps": 118400, "nfse": 20931}
    facts["nfse_slow"] = []
    facts["nfse_v43_fail"] = []
    facts["nfse_oneoff"] = []
    warm: dict[str, datetime] = {}
    deploy42 = Z("2026-11-03T12:05")
    v43_a, v43_b = W["nfse_v43"]
    lat_a, lat_b = W["nfse_latency"]
    invocations = []
    for h, loc in hours():
        d = loc.date()
        kind = day_kind(d)
        rate = 28.0 * HOUR_W[loc.hour]
        if kind != "business":
            rate *= 0.06
        left = business_days_left(d)
        if kind == "business" and left <= 3:
            rate *= (2.8, 2.3, 1.8)[left - 1]
        n = rng.poisson(rate)
        for _ in range(n):
            invocations.append(h + timedelta(seconds=rng.rand() * 3600))
    invocations.sort()
    oneoff_at = Z("2026-11-04T17:20")
    oneoff_done = False
    for t in invocations:
        c = comps[int(rng.g.integers(0, len(comps)))]
        seq["fat"] += 1
        fat = f"FAT/2026/{seq['fat']:05d}"
        msg_id = rng.uuid()
        attempts = 1
        version = "41" if t < deploy42 else ("43" if v43_a <= t < v43_b else "42")
        fail_mode = None
        if version == "43":
            fail_mode = "v43"
            attempts = 3
        elif not oneoff_done and t >= oneoff_at:
            fail_mode, oneoff_done = "oneoff", True
            attempts = 2
        tt = t
        for att in range(1, attempts + 1):
            version = "41" if tt < deploy42 else ("43" if v43_a <= tt < v43_b else "42")
            if fail_mode == "v43" and version != "43":
                fail_mode = None  # redelivered after the alias went back to 42: it goes through
            rid = rng.uuid()
            slot = rng.randint(0, 5)
            stream = cw.stream(tt.date(), version, slot)  # stream names carry the UTC date
            init = None
            if stream not in warm or (tt - warm[stream]).total_seconds() > 1800:
                init = rng.lognormal(math.log(420), 0.15)
            warm[stream] = tt
            cw.put(tt, stream, f"START RequestId: {rid} Version: {version}\n")
            cur = tt + timedelta(milliseconds=3 + rng.rand() * 5)
            if init is not None:
                cfg = {"evento": "config_carregada", "versao": version, "ambiente": "producao",
                       "codigo_servico": "01.07" if version == "43" else "17.19",
                       "endpoint": "https://nfe.prefeitura.sp.gov.br/ws/lotenfe.asmx"}
                cw.put(cur, stream, f"{iso_ms(cur)}\t{rid}\tINFO\t{json.dumps(cfg, ensure_ascii=False)}\n")
            ev = {"evento": "fatura_recebida", "fatura": fat, "partner_id": c["id"], "tomador": c["vat"],
                  "sqs_message_id": msg_id, "tentativa": att}
            cw.put(cur, stream, f"{iso_ms(cur)}\t{rid}\tINFO\t{json.dumps(ev, ensure_ascii=False)}\n")
            ws = rng.lognormal(math.log(780), 0.28)
            if lat_a <= tt < lat_b:
                ws = rng.lognormal(math.log(5200), 0.35)
                facts["nfse_slow"].append(tt)
            if init is not None and version == "42" and tt < deploy42 + timedelta(hours=2):
                ws += 1400  # cold starts after the deploy of v42 (distractor)
            dur = ws + rng.lognormal(math.log(60), 0.3)
            end = tt + timedelta(milliseconds=dur)
            mid = tt + timedelta(milliseconds=dur - 8)
            if fail_mode == "v43":
                e = {"evento": "lote_rejeitado", "fatura": fat, "partner_id": c["id"], "codigo": "1206",
                     "descricao": "Código do serviço prestado inválido ou não permitido para o prestador (01.07).",
                     "ws_ms": round(ws)}
                cw.put(mid, stream, f"{iso_ms(mid)}\t{rid}\tERROR\t{json.dumps(e, ensure_ascii=False)}\n")
                err = {"errorType": "NfseRejeitadaError", "errorMessage": f"Prefeitura rejeitou o RPS da fatura {fat}: 1206",
                       "stack": ["NfseRejeitadaError: Prefeitura rejeitou o RPS da fatura " + fat + ": 1206",
                                 "    at enviarLote (/var/task/src/prefeitura.js:142:13)",
                                 "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
                                 "    at async Runtime.handler (/var/task/src/index.js:38:5)"]}
                cw.put(mid, stream, f"{iso_ms(mid)}\t{rid}\tERROR\tInvoke Error \t{json.dumps(err, ensure_ascii=False)}\n")
                facts["nfse_v43_fail"].append(tt)
            elif fail_mode == "oneoff" and att == 1:
                err = {"errorType": "Error", "errorMessage": "connect ETIMEDOUT 200.230.171.22:443",
                       "code": "ETIMEDOUT", "stack": ["Error: connect ETIMEDOUT 200.230.171.22:443",
                                                     "    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)"]}
                cw.put(mid, stream, f"{iso_ms(mid)}\t{rid}\tERROR\tInvoke Error \t{json.dumps(err)}\n")
                facts["nfse_oneoff"].append(tt)
            elif rng.rand() < 0.006:
                code, desc = rng.choice(NFSE_REJ)
                e = {"evento": "rps_com_erro", "fatura": fat, "partner_id": c["id"], "codigo": code, "descricao": desc}
                cw.put(mid, stream, f"{iso_ms(mid)}\t{rid}\tWARN\t{json.dumps(e, ensure_ascii=False)}\n")
            else:
                seq["rps"] += 1
                seq["nfse"] += 1
                e = {"evento": "nfse_emitida", "fatura": fat, "partner_id": c["id"], "rps": seq["rps"],
                     "numero_nfse": f"{seq['nfse']:08d}", "codigo_verificacao": rng.hex(8).upper(),
                     "ws_ms": round(ws)}
                cw.put(mid, stream, f"{iso_ms(mid)}\t{rid}\tINFO\t{json.dumps(e, ensure_ascii=False)}\n")
            cw.put(end, stream, f"END RequestId: {rid}\n")
            cw.put(end + timedelta(milliseconds=1), stream,
                   report_line(rid, dur, 512, rng.randint(118, 171), init))
            if fail_mode is None or (fail_mode == "oneoff" and att > 1):
                break
            tt = end + timedelta(seconds=60 + rng.rand() * 5)  # SQS visibility timeout, then redelivery
    return cw


# ----------------------------------------------------------------------------- flow 5: CNAB return files (Python Lambda)
def gen_cnab(rng: Rng, facts: dict) -> CloudWatch:
    cw = CloudWatch(rng, "/aws/lambda/cnab-retorno")
    facts["cnab_fail"] = []
    facts["cnab_big"] = []
    files = []
    d = START_LOCAL.date()
    while d < (START_LOCAL + timedelta(days=DAYS)).date():
        if day_kind(d) == "business":
            for bank, hh, mm in (("001", 7, 30), ("341", 8, 0), ("341", 13, 0), ("001", 16, 30), ("341", 18, 0)):
                t = datetime(d.year, d.month, d.day, hh, mm, tzinfo=BRT) + timedelta(seconds=rng.randint(5, 900))
                files.append((t.astimezone(UTC), bank))
        d += timedelta(days=1)
    la, lb = W["cnab_layout"]
    fixed = Z("2026-11-19T18:50")
    reproc = []
    nn = 0
    for t, bank in sorted(files):
        nn += 1
        n_tit = rng.randint(40, 260)
        if t.astimezone(BRT).day == 10 and bank == "001" and t.astimezone(BRT).hour >= 16:
            n_tit = 1900
            facts["cnab_big"].append(t)
        fname = f"{'BB' if bank == '001' else 'ITAU'}/RET_{bank}_{t.astimezone(BRT):%Y%m%d_%H%M}.ret"
        failing = bank == "001" and la <= t < fixed
        attempts = 3 if failing else 1
        rid = rng.uuid()
        tt = t
        for att in range(attempts):
            stream = cw.stream(tt.date(), "$LATEST", rng.randint(0, 1))
            init = rng.lognormal(math.log(640), 0.1) if att == 0 else None
            cw.put(tt, stream, f"START RequestId: {rid} Version: $LATEST\n")
            cur = tt + timedelta(milliseconds=20)
            cw.put(cur, stream, f"[INFO]\t{iso_ms(cur)}\t{rid}\tArquivo recebido: s3://elm-cnab-retorno/{fname} ({n_tit} registros detalhe)\n")
            if failing:
                cur += timedelta(milliseconds=35)
                msg = ("[ERROR] LayoutNaoSuportado: versão do layout do arquivo 107 no header (posições 164-166); suportadas: 101, 103\n"
                       "Traceback (most recent call last):\n"
                       "  File \"/var/task/handler.py\", line 58, in lambda_handler\n"
                       "    lote = cnab240.ler_arquivo(conteudo)\n"
                       "  File \"/var/task/cnab240/leitor.py\", line 91, in ler_arquivo\n"
                       "    raise LayoutNaoSuportado(versao, header.versao_layout_posicao)\n")
                cw.put(cur, stream, msg)
                facts["cnab_fail"].append(tt)
                dur = 55 + rng.rand() * 20
            else:
                for i in range(n_tit):
                    cur += timedelta(milliseconds=rng.randint(8, 40))
                    valor = rng.lognormal(math.log(900), 0.8)
                    v = f"{valor:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
                    nosso = f"{rng.randint(10000000, 99999999)}"
                    if rng.rand() < 0.015:
                        cw.put(cur, stream, f"[WARNING]\t{iso_ms(cur)}\t{rid}\tTítulo nosso número {nosso}: ocorrência 03 (entrada rejeitada), motivo A4\n")
                    else:
                        cw.put(cur, stream, f"[INFO]\t{iso_ms(cur)}\t{rid}\tTítulo nosso número {nosso} liquidado: R$ {v} (ocorrência 06)\n")
                cur += timedelta(milliseconds=30)
                cw.put(cur, stream, f"[INFO]\t{iso_ms(cur)}\t{rid}\tArquivo {fname} processado: {n_tit} registros enviados ao Odoo\n")
                dur = (cur - tt).total_seconds() * 1000 + 40
            end = tt + timedelta(milliseconds=dur)
            cw.put(end, stream, f"END RequestId: {rid}\n")
            cw.put(end + timedelta(milliseconds=1), stream, report_line(rid, dur, 256, rng.randint(71, 96), init))
            tt = end + timedelta(seconds=60 if att == 0 else 120)
        if failing:
            reproc.append((fname, n_tit))
    # manual re-processing after the fix (16:05 local, 19/11)
    tt = Z("2026-11-19T19:05")
    for fname, n_tit in reproc:
        rid = rng.uuid()
        stream = cw.stream(tt.date(), "$LATEST", 0)
        cw.put(tt, stream, f"START RequestId: {rid} Version: $LATEST\n")
        cur = tt + timedelta(milliseconds=15)
        cw.put(cur, stream, f"[INFO]\t{iso_ms(cur)}\t{rid}\tArquivo recebido: s3://elm-cnab-retorno/{fname} ({n_tit} registros detalhe)\n")
        for i in range(n_tit):
            cur += timedelta(milliseconds=rng.randint(8, 40))
            valor = rng.lognormal(math.log(900), 0.8)
            v = f"{valor:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
            cw.put(cur, stream, f"[INFO]\t{iso_ms(cur)}\t{rid}\tTítulo nosso número {rng.randint(10000000, 99999999)} liquidado: R$ {v} (ocorrência 06)\n")
        cur += timedelta(milliseconds=30)
        cw.put(cur, stream, f"[INFO]\t{iso_ms(cur)}\t{rid}\tArquivo {fname} processado: {n_tit} registros enviados ao Odoo\n")
        dur = (cur - tt).total_seconds() * 1000 + 40
        end = tt + timedelta(milliseconds=dur)
        cw.put(end, stream, f"END RequestId: {rid}\n")
        cw.put(end + timedelta(milliseconds=1), stream, report_line(rid, dur, 256, rng.randint(71, 96), None))
        tt = end + timedelta(seconds=30)
    facts["cnab_reproc_end"] = tt
    return cw


# ----------------------------------------------------------------------------- flow 2: Pix webhook on Cloud Run (Go)
class CloudRun:
    """LogEntry JSON lines as a Cloud Logging sink writes them to Cloud Storage."""

    PROJECT = "elm-integracoes"
    SERVICE = "pix-webhook"

    def __init__(self, rng: Rng):
        self.rng = rng
        self.req: list[tuple[datetime, dict]] = []
        self.out: list[tuple[datetime, dict]] = []
        self.inst: dict[tuple, str] = {}

    def resource(self, rev: str) -> dict:
        return {"labels": {"configuration_name": self.SERVICE, "location": "southamerica-east1",
                           "project_id": self.PROJECT, "revision_name": rev, "service_name": self.SERVICE},
                "type": "cloud_run_revision"}

    def instance(self, rev: str, t: datetime) -> str:
        k = (rev, t.date(), t.hour // 6, self.rng.randint(0, 2))
        if k not in self.inst:
            self.inst[k] = "00" + self.rng.hex(94)
        return self.inst[k]

    def entry(self, t: datetime, rev: str, inst: str, trace: str) -> dict:
        return {"insertId": self.rng.hex(16), "labels": {"instanceId": inst}, "resource": self.resource(rev),
                "timestamp": t.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "receiveTimestamp": (t + timedelta(milliseconds=self.rng.randint(3, 90))).strftime("%Y-%m-%dT%H:%M:%S.%f") + "123Z",
                "trace": f"projects/{self.PROJECT}/traces/{trace}"}

    def request(self, t: datetime, rev: str, inst: str, trace: str, status: int, latency_s: float, size: int):
        """The receiver logs its own request (httpRequest in the structured line, as the Cloud Logging
        agent conventions allow); it goes on the result line written just before, same trace."""
        e = self.out[-1][1]
        assert e["trace"].endswith(trace)
        e["httpRequest"] = {"latency": f"{latency_s:.6f}s", "protocol": "HTTP/1.1", "remoteIp": "200.201.168.34",
                            "requestMethod": "POST", "requestSize": str(size),
                            "requestUrl": "https://pix-webhook-7q2xv4lk3a-rj.a.run.app/webhook/pix",
                            "responseSize": "48" if status == 200 else "112",
                            "status": status, "userAgent": "ReactorNetty/1.1.13"}

    def stdout(self, t: datetime, rev: str, inst: str, trace: str, severity: str, payload: dict):
        if payload.get("message") == "pix recebido":
            return  # DEBUG level in production: not exported
        e = self.entry(t, rev, inst, trace)
        e["jsonPayload"] = payload
        e["logName"] = f"projects/{self.PROJECT}/logs/run.googleapis.com%2Fstdout"
        e["severity"] = severity
        self.out.append((t, e))

    def write(self, dirpath: Path):
        for name, rows in (("stdout", self.out),):
            rows.sort(key=lambda r: r[0])
            with (dirpath / f"pix-webhook_run.googleapis.com_{name}.jsonl").open("w", encoding="utf-8") as f:
                for _, e in rows:
                    f.write(json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n")


def e2e_id(rng: Rng, t: datetime) -> str:
    ispb = rng.choice(["18236120", "60701190", "00000000", "00360305", "90400888", "60746948", "31872495"])
    return f"E{ispb}{t:%Y%m%d%H%M}{rng.hex(11)}"


def gen_pix(rng: Rng, P: Partners, facts: dict, odoo_calls: list) -> CloudRun:
    cr = CloudRun(rng)
    comps = [c for c in P.companies]
    dup_by_cnpj = {}
    for orig, dup in P.merge_pairs:
        dup_by_cnpj[P.by_id[orig]["vat"]] = (orig, dup)
    merge_payers = [P.by_id[o] for o, _ in P.merge_pairs]
    facts.update(pix_merge_fail=[], pix_replay=[], pix_unmarshal=[], pix_maint=[], pix_oneoff=[], pix_newinfo=[])
    da, db = W["pix_dup_partner"]
    ra, rb = W["pix_replay"]
    sa, sb = W["pix_replay_src"]
    ua, ub = W["pix_unmarshal"]
    ma, mb = W["maintenance"]
    revs = [(START, "pix-webhook-00041-duq"), (Z("2026-11-13T13:30"), "pix-webhook-00043-kaf"),
            (Z("2026-11-26T14:20"), "pix-webhook-00044-wop")]

    def rev_at(t):
        r = revs[0][1]
        for a, name in revs:
            if t >= a:
                r = name
        return r

    deliveries = []
    for h, loc in hours():
        d = loc.date()
        kind = day_kind(d)
        rate = 80.0 * HOUR_W[loc.hour]
        if kind in ("weekend", "holiday"):
            rate = 80.0 * (0.25 * HOUR_W[loc.hour] + 0.01)
        if kind == "company":
            rate *= 0.9  # payments do not stop for the firm's own day off
        if d.day == 10:
            rate *= 2.8
        elif d.day in (5, 6):
            rate *= 1.5
        for _ in range(rng.poisson(rate)):
            deliveries.append((h + timedelta(seconds=rng.rand() * 3600), None))
    # payments by the six clients duplicated by the re-import (so their ambiguity shows)
    for k, c in enumerate(merge_payers):
        for j in range(5 + k % 3):
            t = da + timedelta(minutes=20 + (j * 577 + k * 131) % int((db - da).total_seconds() / 60 - 60))
            deliveries.append((t, c))
    deliveries.sort(key=lambda x: x[0])
    originals_for_replay = []
    pending_newinfo = Z("2026-11-13T13:31")
    for t, forced in deliveries:
        c = forced or comps[int(rng.g.integers(0, len(comps)))]
        valor = f"{rng.lognormal(math.log(650), 0.9):.2f}"
        e2e = e2e_id(rng, t)
        txid = rng.hex(26)
        has_devol = ua <= t < ub and rng.rand() < 0.035
        attempts_at = [t]
        ok = None
        for att in range(4):
            ta = attempts_at[-1]
            rev = rev_at(ta)
            inst = cr.instance(rev, ta)
            trace = rng.hex(32)
            size = rng.randint(420, 680)
            if has_devol and rev != "pix-webhook-00044-wop":
                msg = "json: cannot unmarshal array into Go struct field Pix.pix.devolucoes of type webhook.Devolucao"
                cr.stdout(ta + timedelta(milliseconds=2), rev, inst, trace, "ERROR",
                          {"message": "payload inválido", "erro": msg, "endpoint": "/webhook/pix"})
                cr.request(ta, rev, inst, trace, 400, 0.004 + rng.rand() * 0.004, size + 160)
                facts["pix_unmarshal"].append(ta)
                status = 400
            elif ma <= ta < mb:
                cr.stdout(ta + timedelta(milliseconds=2), rev, inst, trace, "INFO",
                          {"message": "pix recebido", "endToEndId": e2e, "txid": txid, "valor": valor})
                lat = 0.02 + rng.rand() * 0.03
                cr.stdout(ta + timedelta(seconds=lat), rev, inst, trace, "ERROR",
                          {"message": "odoo indisponível", "erro": "POST https://erp.elm.com.br/xmlrpc/2/object: 502 Bad Gateway",
                           "endToEndId": e2e})
                cr.request(ta, rev, inst, trace, 503, lat + 0.002, size)
                facts["pix_maint"].append(ta)
                status = 503
            else:
                cr.stdout(ta + timedelta(milliseconds=2), rev, inst, trace, "INFO",
                          {"message": "pix recebido", "endToEndId": e2e, "txid": txid, "valor": valor})
                lat = rng.lognormal(math.log(0.16), 0.35)
                ambiguous = c["vat"] in dup_by_cnpj and da <= ta < db
                if ambiguous:
                    o, dpl = dup_by_cnpj[c["vat"]]
                    cr.stdout(ta + timedelta(seconds=lat), rev, inst, trace, "ERROR",
                              {"message": "falha ao registrar pagamento no Odoo", "endToEndId": e2e, "txid": txid,
                               "cnpj_pagador": c["vat"], "partner_ids": [o, dpl],
                               "erro": f"Fault 2: ValueError: Expected singleton: res.partner({o}, {dpl})"})
                    cr.request(ta, rev, inst, trace, 500, lat + 0.003, size)
                    odoo_calls.append((ta + timedelta(seconds=lat * 0.6), lat))
                    facts["pix_merge_fail"].append((ta, o, dpl))
                    status = 500
                elif rng.rand() < 0.0004 and not facts["pix_oneoff"] and ta > Z("2026-11-26T16:00"):
                    cr.stdout(ta + timedelta(seconds=lat), rev, inst, trace, "ERROR",
                              {"message": "falha ao registrar pagamento no Odoo", "endToEndId": e2e,
                               "erro": "context deadline exceeded"})
                    cr.request(ta, rev, inst, trace, 500, lat + 0.003, size)
                    facts["pix_oneoff"].append(ta)
                    status = 500
                else:
                    pay_id = 880000 + len(odoo_calls)
                    cr.stdout(ta + timedelta(seconds=lat), rev, inst, trace, "INFO",
                              {"message": "pagamento registrado", "endToEndId": e2e, "txid": txid,
                               "partner_id": c["id"], "account_payment_id": pay_id, "valor": valor})
                    cr.request(ta, rev, inst, trace, 200, lat + 0.002, size)
                    odoo_calls.append((ta + timedelta(seconds=lat * 0.6), lat))
                    status = 200
                    ok = (e2e, txid, c, valor)
            if status == 200:
                break
            if att < 3:
                attempts_at.append(ta + timedelta(seconds=(60, 300, 900)[att] + rng.rand() * 5))
        if ok and sa <= t < sb and rng.rand() < 0.55:
            originals_for_replay.append(ok)
        if rev_at(t) == "pix-webhook-00043-kaf" and t >= pending_newinfo:
            inst = cr.instance("pix-webhook-00043-kaf", t)
            cr.stdout(t, "pix-webhook-00043-kaf", inst, rng.hex(32), "INFO",
                      {"message": "certificados mTLS do PSP recarregados", "validade": "2027-08-31", "emissor": "ICP-Brasil AC SERPRO"})
            facts["pix_newinfo"].append(t)
            pending_newinfo = t + timedelta(minutes=30)
    # the PSP replays the morning's notifications in the afternoon (same endToEndId)
    n = len(originals_for_replay)
    for i, (e2e, txid, c, valor) in enumerate(originals_for_replay):
        ta = ra + timedelta(seconds=(rb - ra).total_seconds() * (i + 0.5) / n)
        rev = rev_at(ta)
        inst = cr.instance(rev, ta)
        trace = rng.hex(32)
        lat = rng.lognormal(math.log(0.16), 0.35)
        cr.stdout(ta + timedelta(milliseconds=2), rev, inst, trace, "INFO",
                  {"message": "pix recebido", "endToEndId": e2e, "txid": txid, "valor": valor})
        pay_id = 880000 + len(odoo_calls)
        cr.stdout(ta + timedelta(seconds=lat), rev, inst, trace, "INFO",
                  {"message": "pagamento registrado", "endToEndId": e2e, "txid": txid,
                   "partner_id": c["id"], "account_payment_id": pay_id, "valor": valor})
        cr.request(ta, rev, inst, trace, 200, lat + 0.002, rng.randint(420, 680))
        odoo_calls.append((ta + timedelta(seconds=lat * 0.6), lat))
        facts["pix_replay"].append((ta, e2e))
    return cr


# ----------------------------------------------------------------------------- flow 3: RD Station CRM via queue.job (export)
QJ_HEADER = ["UUID", "Descrição", "Chamada", "Canal", "Estado", "Data de Criação", "Hora de Enfileiramento",
             "Data de Início", "Data de Conclusão", "Tentativa atual", "Máx. de tentativas", "Exceção",
             "Mensagem da Exceção", "Informações da Exceção", "Modelo", "Tempo de Execução (média)"]
ST = {"done": "Concluída", "failed": "Falhou", "pending": "Pendente", "enqueued": "Enfileirada", "started": "Iniciada"}


def tb_http(url_part: str, status: int, reason: str, body: str, extra_frames: str = "") -> str:
    return ("Traceback (most recent call last):\n"
            "  File \"/opt/odoo/addons-oca/queue/queue_job/controllers/main.py\", line 88, in runjob\n"
            "    self._try_perform_job(env, job)\n"
            "  File \"/opt/odoo/addons-oca/queue/queue_job/controllers/main.py\", line 48, in _try_perform_job\n"
            "    job.perform()\n"
            "  File \"/opt/odoo/addons-oca/queue/queue_job/job.py\", line 523, in perform\n"
            "    self.result = self.func(*tuple(self.args), **self.kwargs)\n"
            f"{extra_frames}"
            "  File \"/opt/odoo/addons-elm/elm_rdstation/models/rdstation_backend.py\", line 97, in _request\n"
            "    response.raise_for_status()\n"
            "  File \"/usr/lib/python3/dist-packages/requests/models.py\", line 1024, in raise_for_status\n"
            "    raise HTTPError(http_error_msg, response=self)\n"
            f"requests.exceptions.HTTPError: {status} Client Error: {reason} for url: https://api.rd.services/crm/v2/{url_part}\n")


def gen_rdstation(rng: Rng, P: Partners, facts: dict) -> list[dict]:
    jobs = []
    comps = P.companies
    ca, cb = W["rd_cred"]
    ra, rb = W["rd_429"]
    ma, mb = W["maintenance"]
    facts.update(rd_cred_fail=[], rd_429_fail=[], rd_429_retried=[], rd_oneoff=[])

    def new_job(t, kind, c, extra=None):
        if kind == "contact":
            desc = f"Exportar contato para o RD Station CRM: {c['name']}"
            func = f"res.partner({c['id']},)._rdstation_export_contact()"
            model, path = "res.partner", "contacts"
        else:
            lid = rng.randint(3100, 9800)
            desc = f"Sincronizar negociação no RD Station CRM: oportunidade {lid}"
            func = f"crm.lead({lid},)._rdstation_sync_deal()"
            model, path = "crm.lead", "deals"
        return {"uuid": rng.uuid(), "name": desc, "func": func, "channel": "root.rdstation", "model": model,
                "path": path, "created": t, "max": 5, **(extra or {})}

    times = []
    for h, loc in hours():
        d = loc.date()
        kind = day_kind(d)
        rate = 30.0 * HOUR_W[loc.hour] if kind == "business" else 30.0 * 0.04 * HOUR_W[loc.hour]
        for _ in range(rng.poisson(rate)):
            times.append((h + timedelta(seconds=rng.rand() * 3600), "contact" if rng.rand() < 0.45 else "deal"))
        if loc.weekday() == 6 and loc.hour == 3:  # weekly full resync, Sunday 03:00 local
            for i in range(650):
                times.append((h + timedelta(seconds=2 + i * 0.05), "contact"))
    # the sales-ops bulk deal update of 12/11 that hit the rate limit
    for i in range(1500):
        times.append((ra + timedelta(seconds=i * 0.4), "deal"))
    times.sort(key=lambda x: x[0])
    export_at = END + timedelta(minutes=9)
    for t, kind in times:
        if ma <= t < mb:
            continue
        c = comps[int(rng.g.integers(0, len(comps)))]
        j = new_job(t, kind, c)
        j["enq"] = t + timedelta(seconds=rng.rand() * 2)
        if ra <= t < rb:
            start = t + timedelta(seconds=rng.rand() * 25)
        else:
            start = j["enq"] + timedelta(seconds=0.2 + rng.rand() * 3)
        j["start"] = start
        exec_t = rng.lognormal(math.log(0.55), 0.4)
        if ca <= start < cb:
            j.update(state="failed", retry=1, done=None,
                     exc_name="odoo.exceptions.UserError",
                     exc_message='RD Station CRM: não foi possível renovar o access_token (HTTP 401): {"error_type": "ACCESS_DENIED", "error_message": "Wrong credentials provided."}',
                     exc_info=("Traceback (most recent call last):\n"
                               "  File \"/opt/odoo/addons-oca/queue/queue_job/controllers/main.py\", line 48, in _try_perform_job\n"
                               "    job.perform()\n"
                               "  File \"/opt/odoo/addons-oca/queue/queue_job/job.py\", line 523, in perform\n"
                               "    self.result = self.func(*tuple(self.args), **self.kwargs)\n"
                               "  File \"/opt/odoo/addons-elm/elm_rdstation/models/rdstation_backend.py\", line 61, in _get_access_token\n"
                               "    raise UserError(_(\"RD Station CRM: não foi possível renovar o access_token (HTTP %s): %s\") % (resp.status_code, resp.text))\n"
                               "odoo.exceptions.UserError: RD Station CRM: não foi possível renovar o access_token (HTTP 401): {\"error_type\": \"ACCESS_DENIED\", \"error_message\": \"Wrong credentials provided.\"}\n"),
                     exec=0.31 + rng.rand() * 0.2)
            facts["rd_cred_fail"].append((start, j["uuid"]))
        elif ra <= start < rb:
            # 429 from the API; RetryableJobError postpones the job (retry pattern 1:60s 3:300s)
            tries = 5 if rng.rand() < 0.36 else rng.randint(2, 4)
            last = start + timedelta(seconds=sum((60, 60, 300, 300)[:tries - 1]) + rng.rand() * 30)
            if tries == 5:
                url = f"{j['path']}/{rng.hex(24)}"
                j.update(state="failed", retry=5, done=None, start=last,
                         exc_name="odoo.addons.queue_job.exception.FailedJobError",
                         exc_message=f"Max. retries (5) reached: 429 Client Error: Too Many Requests for url: https://api.rd.services/crm/v2/{url}",
                         exc_info=tb_http(url, 429, "Too Many Requests", "")
                         + "\nDuring handling of the above exception, another exception occurred:\n\n"
                         "Traceback (most recent call last):\n"
                         "  File \"/opt/odoo/addons-oca/queue/queue_job/controllers/main.py\", line 113, in runjob\n"
                         "    raise FailedJobError(\"Max. retries (%d) reached: %s\" % (job.max_retries, value or type_))\n"
                         f"odoo.addons.queue_job.exception.FailedJobError: Max. retries (5) reached: 429 Client Error: Too Many Requests for url: https://api.rd.services/crm/v2/{url}\n",
                         exec=0.12 + rng.rand() * 0.1)
                if last < rb + timedelta(minutes=20):
                    facts["rd_429_fail"].append((last, j["uuid"]))
                else:
                    facts["rd_429_fail"].append((last, j["uuid"]))
            else:
                j.update(state="done", retry=tries, start=last, done=last + timedelta(seconds=exec_t),
                         exc_name="", exc_message="", exc_info="", exec=exec_t)
                facts["rd_429_retried"].append((last, j["uuid"]))
        elif rng.rand() < 0.0025 and start > START + timedelta(days=1):
            url = f"contacts/{rng.hex(24)}"
            j.update(state="failed", retry=1, done=None, exc_name="requests.exceptions.HTTPError",
                     exc_message=f"422 Client Error: Unprocessable Entity for url: https://api.rd.services/crm/v2/{url}",
                     exc_info=tb_http(url, 422, "Unprocessable Entity", ""), exec=0.4)
            facts["rd_oneoff"].append((start, j["uuid"]))
        else:
            j.update(state="done", retry=1, done=start + timedelta(seconds=exec_t), exc_name="",
                     exc_message="", exc_info="", exec=exec_t)
        if j["start"] > export_at - timedelta(minutes=2):
            j.update(state="enqueued" if j["enq"] < export_at else "pending", done=None, start=None, exec=0.0)
        jobs.append(j)
    # a few jobs are still queued when the export is taken
    return jobs


def br_dt(t: datetime | None) -> str:
    return "" if t is None else t.astimezone(UTC).strftime("%d/%m/%Y %H:%M:%S")


def write_queue_jobs(jobs: list[dict], path: Path):
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    w.writerow(QJ_HEADER)
    # the list view sorts by date_created desc, the export keeps that order
    for j in sorted(jobs, key=lambda j: j["created"], reverse=True):
        w.writerow([j["uuid"], j["name"], j["func"], j["channel"], ST[j["state"]], br_dt(j["created"]),
                    br_dt(j.get("enq")), br_dt(j.get("start")), br_dt(j.get("done")), j.get("retry", 0),
                    j["max"], j.get("exc_name", ""), j.get("exc_message", ""), j.get("exc_info", ""),
                    j["model"], f"{j.get('exec', 0.0):.2f}".replace(".", ",")])
    path.write_bytes(buf.getvalue().encode("cp1252"))


# ----------------------------------------------------------------------------- flow 4: Odoo 18 server log (Jira cron etc.)
def gen_odoo_log(rng: Rng, J: Projects, facts: dict, odoo_calls: list) -> list[tuple[datetime, str]]:
    lines: list[tuple[datetime, str]] = []
    ma, mb = W["maintenance"]
    sa, sb = W["jira_silent"]
    pa, pb = W["jira_project"]
    pid_http = [31, 32, 33, 34, 35, 36]
    pid_cron = [38, 39]
    facts.update(jira_runs=[], jira_proj_err=[], serial=[], maint_notice=[])

    def fmt(t: datetime, pid: int, level: str, db: str, logger: str, msg: str) -> str:
        return f"{t:%Y-%m-%d %H:%M:%S},{t.microsecond // 1000:03d} {pid} {level} {db} {logger}: {msg}"

    def add(t, pid, level, logger, msg, db=DB):
        lines.append((t, fmt(t, pid, level, db, logger, msg)))

    # werkzeug lines for the Pix receiver's XML-RPC calls
    for t, lat in odoo_calls:
        if ma <= t < mb:
            continue
        q = rng.randint(9, 31)
        add(t, rng.choice(pid_http), "INFO", "werkzeug",
            f"10.158.0.{rng.randint(2, 40)} - - [{t:%d/%b/%Y %H:%M:%S}] \"POST /xmlrpc/2/object HTTP/1.1\" 200 - {q} {lat * 0.3:.3f} {lat * 0.5:.3f}")
    keys = sorted(J.jira_keys)
    dup_key = J.jira_key_dup
    o, c = J.jira_dup
    t = START + timedelta(minutes=4, seconds=11)
    issue_no = 180
    while t < END:
        if not (ma <= t < mb) and not (sa <= t < sb):
            pid = rng.choice(pid_cron)
            loc = t.astimezone(BRT)
            add(t, pid, "INFO", "odoo.addons.base.models.ir_cron", "Job 'Jira: importar worklogs' (57) starting")
            busy = HOUR_W[loc.hour] * (1.0 if day_kind(loc.date()) == "business" else 0.05)
            n_issues = rng.poisson(14 * busy)
            n_wl = n_issues + rng.poisson(6 * busy)
            t2 = t + timedelta(seconds=0.4 + n_issues * 0.09 + rng.rand())
            if pa <= t < pb and busy > 0.2:
                issue_no += 1
                te = t + timedelta(seconds=0.3 + rng.rand() * 0.5)
                add(te, pid, "ERROR", "odoo.addons.elm_jira_sync.models.jira_backend",
                    f"Falha ao importar worklogs da issue {dup_key}-{issue_no}\n"
                    "Traceback (most recent call last):\n"
                    "  File \"/opt/odoo/addons-elm/elm_jira_sync/models/jira_backend.py\", line 188, in _import_worklogs\n"
                    "    project = self._project_for_key(issue[\"fields\"][\"project\"][\"key\"])\n"
                    "  File \"/opt/odoo/addons-elm/elm_jira_sync/models/jira_backend.py\", line 141, in _project_for_key\n"
                    "    project.ensure_one()\n"
                    "  File \"/usr/lib/python3/dist-packages/odoo/models.py\", line 5841, in ensure_one\n"
                    "    raise ValueError(\"Expected singleton: %s\" % self)\n"
                    f"ValueError: Expected singleton: project.project({o}, {c})")
                facts["jira_proj_err"].append(te)
            if n_issues:
                add(t2 - timedelta(milliseconds=30), pid, "INFO", "odoo.addons.elm_jira_sync.models.jira_backend",
                    f"Jira: {n_wl} worklogs importados de {n_issues} issues ({n_wl * 0.75:.1f} h)")
            add(t2, pid, "INFO", "odoo.addons.base.models.ir_cron",
                f"Job 'Jira: importar worklogs' (57) done in {(t2 - t).total_seconds():.3f}s")
            facts["jira_runs"].append(t)
        t += timedelta(minutes=10, seconds=rng.rand() * 2)
    # hourly bank-statement cron (another Odoo job, not a flow of this estate)
    t = START + timedelta(minutes=31)
    while t < END:
        if not (ma <= t < mb):
            add(t, rng.choice(pid_cron), "INFO", "odoo.addons.base.models.ir_cron", "Job 'Mail: Email Queue Manager' (3) starting")
            add(t + timedelta(seconds=1.2), rng.choice(pid_cron), "INFO", "odoo.addons.base.models.ir_cron",
                f"Job 'Mail: Email Queue Manager' (3) done in {1.1 + rng.rand():.3f}s")
        t += timedelta(hours=1)
    # maintenance notice (pt_BR, local time), announced twice before
    notice = ("AVISO: manutenção programada do Odoo no sábado, 14/11/2026, das 22:00 às 23:59 (horário de Brasília) "
              "para atualização de módulos (Odoo 18.0-20261110). Integrações e crons ficam pausados nesse período.")
    for tn in (Z("2026-11-12T18:00:02"), Z("2026-11-14T21:30:01")):
        add(tn, 38, "WARNING", "odoo.addons.elm_ops.models.aviso_manutencao", notice)
        facts["maint_notice"].append(tn)
    add(ma - timedelta(seconds=3), 1, "INFO", "odoo.service.server", "Initiating shutdown", db="?")
    add(ma - timedelta(seconds=3), 1, "INFO", "odoo.service.server", "Hit CTRL-C again or send a second signal to force the shutdown.", db="?")
    up = mb - timedelta(minutes=9)
    for k, (lg, m) in enumerate([("odoo", "Odoo version 18.0-20261110"),
                                 ("odoo", "Using configuration file at /etc/odoo/odoo.conf"),
                                 ("odoo", "addons paths: ['/usr/lib/python3/dist-packages/odoo/addons', '/var/lib/odoo/addons/18.0', '/opt/odoo/addons-oca/queue', '/opt/odoo/addons-elm']"),
                                 ("odoo", "database: odoo@db-elm:5432"),
                                 ("odoo.service.server", "HTTP service (werkzeug) running on 0.0.0.0:8069"),
                                 ("odoo.modules.loading", "loading 1 modules..."),
                                 ("odoo.modules.loading", "1 modules loaded in 0.02s, 0 queries (+0 extra)"),
                                 ("odoo.modules.loading", "updating modules list"),
                                 ("odoo.modules.loading", "loading 167 modules..."),
                                 ("odoo.modules.loading", "167 modules loaded in 41.87s, 28113 queries (+28113 extra)"),
                                 ("odoo.modules.registry", "Registry loaded in 46.118s")]):
        add(up + timedelta(seconds=k * 4.1), 1, "INFO", lg, m, db=DB if lg.startswith("odoo.modules") else "?")
    # retried serialization failures on the month-end afternoon (distractor)
    for k in range(11):
        ts = Z("2026-11-30T17:10") + timedelta(minutes=k * 9 + rng.rand() * 5)
        add(ts, rng.choice(pid_http), "INFO", "odoo.service.model",
            f"SERIALIZATION_FAILURE, {rng.randint(3, 4)} tries left, try again in {0.1 + rng.rand() * 0.9:.4f} sec...")
        facts["serial"].append(ts)
    lines.sort(key=lambda x: x[0])
    return lines


# ----------------------------------------------------------------------------- build
def build(out: Path) -> Path:
    out = Path(out)
    rng = Rng(SEED)
    for sub in ("logs", "records", "labels"):
        (out / sub).mkdir(parents=True, exist_ok=True)
        for old in (out / sub).iterdir():
            if old.is_file():
                old.unlink()
    facts: dict = {}

    P = Partners(rng)
    P.build()
    J = Projects(rng, P)
    J.build()
    write_partners(P, out / "records" / "res_partner.csv")
    write_projects(J, out / "records" / "project_project.csv")

    nfse = gen_nfse(rng, P, facts)
    nfse.write(out / "logs" / "cloudwatch_aws-lambda-nfse-emissor-sp.jsonl")
    cnab = gen_cnab(rng, facts)
    cnab.write(out / "logs" / "cloudwatch_aws-lambda-cnab-retorno.jsonl")
    odoo_calls: list = []
    pix = gen_pix(rng, P, facts, odoo_calls)
    pix.write(out / "logs")
    jobs = gen_rdstation(rng, P, facts)
    write_queue_jobs(jobs, out / "logs" / "queue_job_rdstation_export.csv")
    olog = gen_odoo_log(rng, J, facts, odoo_calls)
    with (out / "logs" / "odoo-server.log").open("w", encoding="utf-8") as f:
        for _, line in olog:
            f.write(line + "\n")

    flows = [
        {"name": "nfse_emissao", "source_system": "Odoo", "target_system": "Prefeitura de São Paulo (NFS-e)",
         "owner": "financeiro-ti", "criticality": "high", "country": "BR",
         "aliases": ["nfse-emissor-sp", "/aws/lambda/nfse-emissor-sp"]},
        {"name": "pix_webhook", "source_system": "PSP Pix (banco)", "target_system": "Odoo",
         "owner": "bpo-financeiro", "criticality": "high", "country": "BR", "aliases": ["pix-webhook"],
         "endpoints": ["/webhook/pix"]},
        {"name": "rdstation_sync", "source_system": "Odoo", "target_system": "RD Station CRM",
         "owner": "comercial", "criticality": "medium", "country": "BR", "channels": ["root.rdstation"]},
        {"name": "timesheet_jira", "source_system": "Jira Cloud", "target_system": "Odoo",
         "owner": "pmo", "criticality": "medium", "country": "BR",
         "loggers": ["odoo.addons.elm_jira_sync"]},
        {"name": "cnab_retorno", "source_system": "Bancos (CNAB 240)", "target_system": "Odoo",
         "owner": "bpo-financeiro", "criticality": "high", "country": "BR", "unit": "batch",
         "aliases": ["cnab-retorno", "/aws/lambda/cnab-retorno"]},
    ]
    (out / "flows.json").write_text(json.dumps(flows, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    cal = {"country": "BR",
           "holidays": sorted(d.isoformat() for d in list(HOLIDAYS) + list(COMPANY_DAYS)),
           "month_end_days": 3}
    (out / "calendar.json").write_text(json.dumps(cal, indent=2) + "\n", encoding="utf-8")

    inc = labels_incidents(facts, P, J)
    with (out / "labels" / "incidents.jsonl").open("w", encoding="utf-8") as f:
        for r in inc:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    nots = labels_not_incidents(facts)
    with (out / "labels" / "not_incidents.jsonl").open("w", encoding="utf-8") as f:
        for r in nots:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    with (out / "labels" / "partner_entities.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "entity"])
        for pid in sorted(P.entity):
            w.writerow([pid, P.entity[pid]])
    with (out / "labels" / "project_entities.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "entity"])
        for pid in sorted(J.entity):
            w.writerow([pid, J.entity[pid]])
    with (out / "labels" / "hard_negatives.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["model", "left_id", "right_id", "why"])
        for a, b, why in P.hard:
            w.writerow(["res.partner", a, b, why])
        for a, b, why in J.hard:
            w.writerow(["project.project", a, b, why])
    manifest = {"estate": "elm", "firm": "Elm Contabilidade e Tecnologia Ltda (São Paulo, BR)",
                "heldout": False, "designed_blind": True, "days": DAYS, "seed": SEED}
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    self_check(out, inc, nots, facts, P, J, jobs)
    return out


def span(ts: list[datetime], pad_before=timedelta(0), pad_after=timedelta(minutes=1)) -> tuple[str, str]:
    return zs(min(ts) - pad_before), zs(max(ts) + pad_after)


def labels_incidents(facts: dict, P: Partners, J: Projects) -> list[dict]:
    inc = []
    cf = facts["rd_cred_fail"]
    a, b = span([t for t, _ in cf])
    inc.append({"incident_id": "elm-1", "kind": "expired_credential", "flow": "rdstation_sync", "start": a, "end": b,
                "cause": "credential_auth", "expected_action": "escalate",
                "affected_records": [f"queue.job:{u}" for _, u in cf],
                "description": "client_secret do app RD Station CRM regenerado na App Store sem atualizar o Odoo: "
                               "a renovação do access_token volta 401 ACCESS_DENIED 'Wrong credentials provided.' e todas as "
                               "tarefas de exportação falham até a reautorização (17:40 local)."})
    rf = facts["rd_429_fail"]
    rr = facts["rd_429_retried"]
    a, b = span([t for t, _ in rf + rr], pad_before=timedelta(minutes=0))
    inc.append({"incident_id": "elm-2", "kind": "retry_storm", "flow": "rdstation_sync",
                "start": zs(W["rd_429"][0]), "end": b,
                "cause": "rate_limit", "expected_action": "requeue_jobs",
                "affected_records": [f"queue.job:{u}" for _, u in rf],
                "description": "atualização em massa de 1.500 negociações pelo comercial: a API do RD Station CRM responde "
                               "429 Too Many Requests; as tarefas são adiadas (RetryableJobError) e ~1/3 chega ao máximo de "
                               "5 tentativas (FailedJobError). Reenfileirar as que falharam."})
    mf = facts["pix_merge_fail"]
    ids = sorted({x for _, o, d in mf for x in (o, d)})
    a, b = span([t for t, _, _ in mf])
    inc.append({"incident_id": "elm-3", "kind": "error_spike", "flow": "pix_webhook", "start": a, "end": b,
                "cause": "data_quality", "expected_action": "merge_partners",
                "affected_records": [f"res.partner:{i}" for i in ids],
                "description": "a reimportação de clientes de 10/11 (19:05 local) criou parceiros com o mesmo CNPJ; a baixa do Pix busca o "
                               "parceiro pelo CNPJ do pagador e o Odoo responde 'Expected singleton: res.partner(a, b)'; o "
                               "receptor devolve 500 e o banco reenvia. Mesclar os parceiros duplicados."})
    rp = facts["pix_replay"]
    a, b = span([t for t, _ in rp])
    inc.append({"incident_id": "elm-4", "kind": "duplicate_delivery", "flow": "pix_webhook", "start": a, "end": b,
                "cause": "upstream_outage", "expected_action": "escalate", "affected_records": [],
                "description": f"o PSP reenviou {len(rp)} notificações Pix da manhã (mesmo endToEndId) entre 14:55 e 15:40 "
                               "locais; o cache de idempotência (TTL 1 h) já as tinha esquecido e os pagamentos foram "
                               "registrados de novo. Escalar ao banco e estornar as baixas em dobro."})
    um = facts["pix_unmarshal"]
    a, b = span(um)
    inc.append({"incident_id": "elm-5", "kind": "new_error_signature", "flow": "pix_webhook", "start": a, "end": b,
                "cause": "schema_validation", "expected_action": "escalate", "affected_records": [],
                "description": "o PSP passou a enviar o array 'devolucoes' dentro do Pix; o receptor Go falha no decode "
                               "('json: cannot unmarshal array into Go struct field Pix.pix.devolucoes') e responde 400, "
                               "com reenvios do banco, até a revisão 00044."})
    sl = facts["nfse_slow"]
    a, b = span(sl, pad_after=timedelta(seconds=10))
    inc.append({"incident_id": "elm-6", "kind": "latency_shift", "flow": "nfse_emissao", "start": a, "end": b,
                "cause": "upstream_outage", "expected_action": "post_note", "affected_records": [],
                "description": "o webservice de NFS-e da Prefeitura de São Paulo fica lento numa tarde (Duration do REPORT "
                               "de ~0,8 s para ~5 s); as notas saem, mais devagar. Registrar nota; nada a corrigir no Odoo."})
    vf = facts["nfse_v43_fail"]
    a, b = span(vf, pad_before=timedelta(seconds=1), pad_after=timedelta(seconds=30))
    inc.append({"incident_id": "elm-7", "kind": "error_spike", "flow": "nfse_emissao", "start": a, "end": b,
                "cause": "configuration", "expected_action": "escalate", "affected_records": [],
                "description": "deploy da versão 43 da Lambda com NFSE_CODIGO_SERVICO=01.07 (em vez de 17.19): a Prefeitura "
                               "rejeita todos os lotes com o erro 1206 e as mensagens SQS vão para a DLQ depois de 3 "
                               "tentativas, até o alias voltar para a versão 42 (12:41 local)."})
    runs = facts["jira_runs"]
    sa, sb = W["jira_silent"]
    before = max(t for t in runs if t < sa)
    after = min(t for t in runs if t >= sb)
    first_missed = max(before + timedelta(minutes=10), W["maintenance"][1] + timedelta(minutes=10))
    inc.append({"incident_id": "elm-8", "kind": "silent_flow", "flow": "timesheet_jira",
                "start": zs(first_missed), "end": zs(after),
                "cause": "configuration", "expected_action": "escalate", "affected_records": [],
                "description": "a atualização de módulos da manutenção de 14/11 recarregou o ir.cron 'Jira: importar "
                               "worklogs' (57) como inativo; nenhuma execução até ser reativado na terça 17/11 às 11:32."})
    pe = facts["jira_proj_err"]
    a, b = span(pe)
    o, c = J.jira_dup
    inc.append({"incident_id": "elm-9", "kind": "error_spike", "flow": "timesheet_jira", "start": a, "end": b,
                "cause": "data_quality", "expected_action": "archive_project",
                "affected_records": [f"project.project:{c}", f"project.project:{o}"],
                "description": f"um projeto foi duplicado ('Duplicar') com a mesma chave Jira [{J.jira_key_dup}]; a importação "
                               f"de worklogs falha com 'Expected singleton: project.project({o}, {c})'. Arquivar a cópia {c}."})
    cf2 = facts["cnab_fail"]
    a, b = span(cf2, pad_after=timedelta(minutes=2))
    inc.append({"incident_id": "elm-10", "kind": "error_spike", "flow": "cnab_retorno", "start": a, "end": b,
                "cause": "schema_validation", "expected_action": "escalate", "affected_records": [],
                "description": "o Banco do Brasil passou a enviar o retorno CNAB 240 na versão de layout 107; o leitor só "
                               "aceita 101/103 (LayoutNaoSuportado) e cada arquivo falha nas 3 tentativas assíncronas da "
                               "Lambda, até a correção de 19/11; os 3 arquivos foram reprocessados às 16:05."})
    return inc


def labels_not_incidents(facts: dict) -> list[dict]:
    def day(d: date, desc: str, kind="public_holiday"):
        a = datetime(d.year, d.month, d.day, tzinfo=BRT).astimezone(UTC)
        return {"kind": kind, "flow": "*", "start": zs(a), "end": zs(a + timedelta(days=1)), "description": desc}

    n = [day(date(2026, 11, 2), "Finados (feriado nacional, segunda-feira): volume de feriado em todos os fluxos"),
         day(date(2026, 11, 15), "Proclamação da República, cai num domingo em 2026"),
         day(date(2026, 11, 20), "Dia Nacional de Zumbi e da Consciência Negra (feriado nacional desde 2024, sexta-feira)"),
         day(date(2026, 10, 30), "recesso interno da empresa (Dia da Família Elm), sexta-feira ponte do fim de mês",
             kind="company_holiday")]
    ma, mb = W["maintenance"]
    n.append({"kind": "maintenance", "flow": "*", "start": zs(ma), "end": zs(mb),
              "description": "manutenção programada do Odoo anunciada no log do servidor em 12/11 e 14/11 (22:00 às 23:59 "
                             "horário de Brasília): o receptor Pix recebe 502 do Odoo e responde 503; o banco reenvia depois"})
    big = facts["cnab_big"][0]
    n.append({"kind": "burst", "flow": "cnab_retorno", "start": zs(big - timedelta(minutes=1)),
              "end": zs(big + timedelta(minutes=3)),
              "description": "arquivo de retorno do BB do dia de vencimento (10/11) com 1.900 títulos: rajada maior que o normal"})
    ni = facts["pix_newinfo"]
    n.append({"kind": "deploy_info", "flow": "pix_webhook", "start": zs(ni[0] - timedelta(minutes=1)),
              "end": zs(ni[0] + timedelta(hours=6)),
              "description": "revisão 00043 do receptor Pix passa a registrar 'certificados mTLS do PSP recarregados' (INFO) a cada 30 min"})
    oo = facts["nfse_oneoff"][0]
    n.append({"kind": "one_off_error", "flow": "nfse_emissao", "start": zs(oo - timedelta(minutes=1)),
              "end": zs(oo + timedelta(minutes=3)),
              "description": "um ETIMEDOUT isolado ao webservice da Prefeitura; a mensagem SQS é reentregue e a nota sai"})
    if facts["pix_oneoff"]:
        po = facts["pix_oneoff"][0]
        n.append({"kind": "one_off_error", "flow": "pix_webhook", "start": zs(po - timedelta(minutes=1)),
                  "end": zs(po + timedelta(minutes=2)),
                  "description": "um 'context deadline exceeded' isolado; o banco reenvia e o pagamento é registrado"})
    se = facts["serial"]
    n.append({"kind": "retried_serialization_failure", "flow": "*", "start": zs(min(se) - timedelta(minutes=1)),
              "end": zs(max(se) + timedelta(minutes=1)),
              "description": "SERIALIZATION_FAILURE com nova tentativa automática do Odoo na tarde de fechamento do mês (INFO)"})
    for a_, b_ in ((date(2026, 11, 26), date(2026, 12, 1)),):
        a = datetime(a_.year, a_.month, a_.day, tzinfo=BRT).astimezone(UTC)
        b = datetime(b_.year, b_.month, b_.day, tzinfo=BRT).astimezone(UTC)
        n.append({"kind": "month_end", "flow": "nfse_emissao", "start": zs(a), "end": zs(min(b, END)),
                  "description": "fechamento do mês: emissão de NFS-e 2 a 3 vezes maior nos últimos dias úteis"})
    a = datetime(2026, 11, 10, tzinfo=BRT).astimezone(UTC)
    n.append({"kind": "due_date_peak", "flow": "pix_webhook", "start": zs(a), "end": zs(a + timedelta(days=1)),
              "description": "dia 10, vencimento dos honorários e dos boletos dos clientes do BPO: Pix quase 3x o normal"})
    for d in (date(2026, 11, 22),):
        a = datetime(d.year, d.month, d.day, 3, 0, tzinfo=BRT).astimezone(UTC)
        n.append({"kind": "scheduled_batch", "flow": "rdstation_sync", "start": zs(a), "end": zs(a + timedelta(hours=1)),
                  "description": "ressincronização semanal completa de contatos com o RD Station (domingo 03:00 local)"})
    d42 = Z("2026-11-03T12:05")
    n.append({"kind": "deploy", "flow": "nfse_emissao", "start": zs(d42), "end": zs(d42 + timedelta(hours=2)),
              "description": "deploy da versão 42 da Lambda de NFS-e: cold starts (Init Duration) e alguns segundos a mais nas primeiras invocações"})
    for i, r in enumerate(n, 1):
        r["id"] = f"elm-n{i}"
    return [{"id": r["id"], **{k: v for k, v in r.items() if k != "id"}} for r in n]


def self_check(out: Path, inc, nots, facts, P: Partners, J: Projects, jobs):
    def P_(s):
        return datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)

    evidence = {
        "elm-1": [t for t, _ in facts["rd_cred_fail"]],
        "elm-2": [t for t, _ in facts["rd_429_fail"]],
        "elm-3": [t for t, _, _ in facts["pix_merge_fail"]],
        "elm-4": [t for t, _ in facts["pix_replay"]],
        "elm-5": facts["pix_unmarshal"],
        "elm-6": facts["nfse_slow"],
        "elm-7": facts["nfse_v43_fail"],
        "elm-9": facts["jira_proj_err"],
        "elm-10": facts["cnab_fail"],
    }
    for r in inc:
        a, b = P_(r["start"]), P_(r["end"])
        assert a < b, r["incident_id"]
        assert START <= a and b <= END + timedelta(hours=1), r["incident_id"]
        ev = evidence.get(r["incident_id"])
        if ev is not None:
            assert len(ev) >= 5, (r["incident_id"], len(ev))
            for t in ev:
                assert a <= t.replace(microsecond=0) <= b, (r["incident_id"], t, a, b)
    # the silent flow: no Jira runs inside, runs on both sides
    s8 = next(r for r in inc if r["incident_id"] == "elm-8")
    a, b = P_(s8["start"]), P_(s8["end"])
    assert not [t for t in facts["jira_runs"] if a <= t < b - timedelta(seconds=1)]
    assert (b - a) > timedelta(hours=24)
    # affected records exist in the files
    qj = open(out / "logs" / "queue_job_rdstation_export.csv", encoding="cp1252", newline="")
    rows = list(csv.reader(qj, delimiter=";"))
    qj.close()
    uuids = {row[0]: row for row in rows[1:]}
    parts = {int(row[0]) for row in list(csv.reader(open(out / "records" / "res_partner.csv", encoding="utf-8")))[1:]}
    projs = {int(row[0]) for row in list(csv.reader(open(out / "records" / "project_project.csv", encoding="utf-8")))[1:]}
    for r in inc:
        for rec in r["affected_records"]:
            model, rid = rec.split(":", 1)
            if model == "queue.job":
                assert rid in uuids and uuids[rid][4] == "Falhou", rec
            elif model == "res.partner":
                assert int(rid) in parts, rec
            elif model == "project.project":
                assert int(rid) in projs, rec
    # merge pairs share an entity and a CNPJ; the project pair too
    for o, d in P.merge_pairs:
        assert P.entity[o] == P.entity[d]
        assert P.by_id[o]["vat"].replace(".", "").replace("/", "").replace("-", "") == P.by_id[d]["vat"]
    assert J.entity[J.jira_dup[0]] == J.entity[J.jira_dup[1]]
    for a_, b_, _ in P.hard:
        assert P.entity[a_] != P.entity[b_]
    for a_, b_, _ in J.hard:
        assert J.entity[a_] != J.entity[b_]
    assert 2000 <= len(P.rows) <= 4000, len(P.rows)
    assert 150 <= len(J.rows) <= 400, len(J.rows)
    assert 8 <= len(inc) <= 10 and 10 <= len(nots) <= 14, len(nots)
    # distractor windows do not overlap labeled incidents on the same flow (with the 1 h widening)
    for nr in nots:
        if nr["flow"] == "*" or nr["kind"] in ("month_end",):
            continue
        na, nb = P_(nr["start"]), P_(nr["end"])
        for r in inc:
            if r["flow"] != nr["flow"]:
                continue
            a, b = P_(r["start"]) - timedelta(hours=1), P_(r["end"]) + timedelta(hours=1)
            assert nb <= a or na >= b, (nr["id"], r["incident_id"])
    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    assert total < 80 * 1024 * 1024, total


if __name__ == "__main__":
    build(Path(sys.argv[1]))
