"""One synthetic report at a time: its XML (or native JSON), its files, its clearing-house layer and its truth.

Every report is determined by (seed, index). About a third of the reports come from repeat offenders who appear
across several reports and providers; some share a carrier-grade NAT address with strangers; some are viral memes;
and the scenarios of DOMAIN.md are planted at fixed places (`SCENARIOS`).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from xml.sax.saxutils import escape, quoteattr

from lanzarote.model.report import ClearingHouseLayer, IpGeolocation, Origin, Party, PartyRole, Report
from lanzarote.synth.people import PROVIDERS, Person, PhoneBook, person, rng_for
from lanzarote.synth.texts import DISTRACTORS, MEME_NOTES, NEUTRAL, SIGNALS
from lanzarote.synth.world import BY_CODE, FICTIONAL_PHONES, WELL_KNOWN_IPS, documentation_ip, phone, phone_count

FIRST_ID = 90_000_000
BLOCK = 5000
"""Scenarios are planted at the same offsets of every block of this many reports."""
SCENARIOS = {
    1: "known_hash_mentor", 2: "four_unknown_files", 3: "abuses_daughter_de", 4: "coach_text_only",
    5: "fresh_production", 6: "discord_pair_a", 7: "teen_groomer", 8: "livestream_philippines",
    9: "conflict_ip_es_phone_fr", 11: "discord_pair_b",
}
INCIDENTS = (
    ("Child Pornography (possession, manufacture, and distribution)", 0.80),
    ("Online Enticement of Children for Sexual Acts", 0.10),
    ("Unsolicited Obscene Material Sent to a Child", 0.04),
    ("Child Sexual Molestation", 0.02),
    ("Child Sex Trafficking", 0.01),
    ("Child Sex Tourism", 0.01),
    ("Misleading Words or Digital Images on the Internet", 0.01),
    ("Misleading Domain Name", 0.01),
)
TEXT_SIGNALS = tuple(SIGNALS)
P1_ALONE = {"T3", "T6", "T15"}
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
OTHER_ORIGINS = (Origin.CITIZEN, Origin.VICTIM, Origin.SOCIAL_SERVICES, Origin.HOTLINE, Origin.FOREIGN_POLICE)


@dataclass
class ListEntry:
    """A hash-list entry the synthetic VICS list will hold."""

    md5: str | None
    pdq: str | None
    victim_identified: bool
    category: int
    series: str | None


@dataclass
class Generated:
    """What one report produces: files to write (relative path → bytes), lines for shared files, truth."""

    files: dict[str, bytes] = field(default_factory=dict)
    received_at: datetime | None = None
    """When the unit received it: written as the files' modification time, which ingest reads as 'received'."""
    layer: str | None = None
    native: str | None = None
    truth: str = ""
    list_entries: list[ListEntry] = field(default_factory=list)
    prior: list[str] = field(default_factory=list)


def is_p1(signals: set[str]) -> bool:
    """A child may be in danger now (the ground truth's definition, from DOMAIN.md's scenarios)."""
    return bool(
        signals & P1_ALONE
        or {"T11", "T4"} <= signals
        or ("T5" in signals and signals & {"T11", "T8"})
        or {"T10", "T11"} <= signals
        or {"T11", "T20"} <= signals
    )


def _hex(rng: random.Random, digits: int) -> str:
    return f"{rng.getrandbits(digits * 4):0{digits}x}"


def _flip(pdq: str, rng: random.Random, bits: int) -> str:
    value = int(pdq, 16)
    for b in rng.sample(range(256), bits):
        value ^= 1 << b
    return f"{value:064x}"


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def viral_md5(seed: int, k: int) -> str:
    return _hex(rng_for(seed, "viral", k), 32)


CGNAT_COUNTRIES = ("DE", "ES", "FR", "NL", "US")
"""Where the shared addresses are: each one many unrelated users appear behind (a well-known address, see world)."""


class Writer:
    """Builds reports for one seed."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.phones = PhoneBook(seed)

    def generate(self, index: int) -> Generated:
        rng = rng_for(self.seed, "report", index)
        scenario = SCENARIOS.get(index % BLOCK)
        if rng.random() < 0.02 and scenario is None:
            return self._native(index, rng)
        return self._ncmec(index, rng, scenario)

    # -- who and what -------------------------------------------------------------------------------------------
    def _person_for(self, index: int, rng: random.Random, scenario: str | None) -> tuple[Person, bool]:
        if scenario in ("discord_pair_a", "discord_pair_b"):
            return person(self.seed, f"S6-{index // BLOCK}", BY_CODE["ES"], 4999 - index // BLOCK), True
        if scenario == "abuses_daughter_de":
            return person(self.seed, f"U{index}", BY_CODE["DE"]), False
        if scenario in ("conflict_ip_es_phone_fr", "livestream_philippines"):
            country = "ES" if scenario.startswith("conflict") else "DK"
            return person(self.seed, f"U{index}", BY_CODE[country]), False
        if rng.random() < 0.3:
            window = index // 7
            return person(self.seed, f"R{window}", phone_index=self.phones.rank(window)), True
        return person(self.seed, f"U{index}"), False

    def _signals(self, rng: random.Random, scenario: str | None, incident: str) -> set[str]:
        fixed = {
            "known_hash_mentor": {"T4"}, "abuses_daughter_de": {"T3", "T5"}, "coach_text_only": {"T11", "T4"},
            "fresh_production": {"T6"}, "discord_pair_a": {"T5"}, "discord_pair_b": set(),
            "teen_groomer": {"T10", "T12", "T13"}, "livestream_philippines": {"T9", "T19"},
            "four_unknown_files": set(), "conflict_ip_es_phone_fr": set(),
        }
        if scenario is not None:
            return set(fixed[scenario])
        # A realistic mix (docs/triage.md): most reports are known material and nothing else; a few carry a
        # text signal, a grooming annotation, a juvenile suspect, fresh production or a very young victim.
        signals: set[str] = set()
        if rng.random() < 0.04:
            signals.add(rng.choice(TEXT_SIGNALS))
            if rng.random() < 0.3:
                signals.add(rng.choice(TEXT_SIGNALS))
        if incident.startswith("Online Enticement") and rng.random() < 0.3:
            signals.add("T10")
        if incident == "Child Sex Tourism":
            signals.add("T22")
        if rng.random() < 0.005:
            signals.add("T6")
        if rng.random() < 0.01:
            signals.add("T12")
        if rng.random() < 0.01:
            signals.add("T20")
        if "T9" in signals:
            signals.add("T19")
        return signals

    def _text(self, rng: random.Random, language: str, signals: set[str], meme: bool) -> tuple[str, bool]:
        parts: list[str] = []
        if meme:
            parts.append(rng.choice(MEME_NOTES.get(language) or MEME_NOTES["en"]))
        else:
            parts.append(rng.choice(NEUTRAL.get(language) or NEUTRAL["en"]))
        lang = language if rng.random() < 0.85 else "en"
        for signal in sorted(signals & set(TEXT_SIGNALS)):
            phrases = SIGNALS[signal].get(lang) or SIGNALS[signal]["en"]
            parts.append(rng.choice(phrases))
        distracted = False
        if rng.random() < 0.08:
            candidates = [s for s in DISTRACTORS if s not in signals]
            if candidates:
                signal = rng.choice(candidates)
                parts.append(rng.choice(DISTRACTORS[signal].get(lang) or DISTRACTORS[signal]["en"]))
                distracted = True
        return " ".join(parts), distracted

    # -- NCMEC reports ------------------------------------------------------------------------------------------
    def _ncmec(self, index: int, rng: random.Random, scenario: str | None) -> Generated:
        out = Generated()
        report_id = str(FIRST_ID + index)
        meme = scenario is None and rng.random() < 0.03
        cgnat = scenario is None and not meme and rng.random() < 0.02
        who, repeat = self._person_for(index, rng, scenario)
        if cgnat:
            who, repeat = person(self.seed, f"U{index}"), False
        incident = rng.choices([i for i, _ in INCIDENTS], weights=[w for _, w in INCIDENTS])[0]
        if meme:  # a viral meme is shared, not an incident of its own kind
            incident = INCIDENTS[0][0]
        if scenario in ("coach_text_only", "teen_groomer"):
            incident = "Online Enticement of Children for Sexual Acts"
        signals = set() if meme else self._signals(rng, scenario, incident)
        provider = "Discord" if scenario and scenario.startswith("discord") else rng.choice(PROVIDERS)
        if scenario == "teen_groomer":
            provider = "Meta"
        incident_at = EPOCH + timedelta(minutes=index * 0.5 + rng.randint(0, 600))
        language = who.country.language
        text_signals = signals - {"T4"} if scenario == "known_hash_mentor" else signals
        text, distracted = self._text(rng, language, text_signals, meme)
        if scenario == "coach_text_only":
            text += " He mentions the medical tests she had to do."
        true_country = who.country.code
        ip_country = true_country
        ip = documentation_ip(rng)
        if cgnat:
            ip_country = true_country = CGNAT_COUNTRIES[rng.randrange(len(CGNAT_COUNTRIES))]
            ip = WELL_KNOWN_IPS[ip_country]
        foreign_phone = self._foreign_phone(index, rng, who, scenario, repeat)
        conflict = foreign_phone is not None
        proxy = scenario is None and rng.random() < 0.02
        age = None
        if "T12" in signals:
            age = rng.randint(13, 17)
        elif scenario == "coach_text_only":
            age = 36
        person_xml = self._person_xml(who, rng, repeat, scenario, foreign_phone, age)
        ip_events = (
            f"<ipCaptureEvent><ipAddress>{ip}</ipAddress><eventName>Upload</eventName>"
            f"<dateTime>{_iso(incident_at - timedelta(minutes=1))}</dateTime>"
            f"{'<possibleProxy>true</possibleProxy>' if proxy else ''}</ipCaptureEvent>"
        )
        device = (
            f"<deviceId><idType>IMEI</idType><idValue>{who.device_id}</idValue></deviceId>"
            if (repeat and rng.random() < 0.6) or (scenario and scenario.startswith("discord")) else ""
        )
        bio = ""
        if "T4" in signals and scenario == "known_hash_mentor":
            bio = "<profileBio>Mentor for children and teenagers at the youth club.</profileBio>"
        disabled = ""
        if scenario is None and rng.random() < 0.03:
            signals.add("T23")
            disabled = f'<accountPermanentlyDisabled disabledDate="{_iso(incident_at + timedelta(days=1))}">true' \
                       "</accountPermanentlyDisabled>"
        priors = ""
        if scenario == "discord_pair_a":
            signals.add("T8")
            out.prior.append(f"ES-2024-{index:06d},possession of CSAM (pending trial),email,{who.email}")
        elif repeat and rng_for(self.seed, "prior", who.person_id).random() < 0.05:
            signals.add("T8")
            out.prior.append(f"{who.country.code}-2023-{index:06d},distribution of CSAM,email,{who.email}")
        reported = (
            f"<personOrUserReported>{person_xml}<espIdentifier>{who.account(provider)}</espIdentifier>"
            f"<espService>{escape(provider)}</espService><screenName>{escape(who.screen_name)}</screenName>"
            f"{bio}{ip_events}{device}{disabled}{priors}</personOrUserReported>"
        )
        others = ""
        if scenario == "teen_groomer" or "T13" in signals:
            for k in range(3):
                others += ("<intendedRecipient><intendedRecipientPerson>"
                           f"<age>{rng.randint(11, 14)}</age></intendedRecipientPerson>"
                           f"<screenName>contact_{index}_{k}</screenName></intendedRecipient>")
        elif incident.startswith("Online Enticement") or scenario == "coach_text_only":
            others += ("<intendedRecipient><intendedRecipientPerson><age>14</age></intendedRecipientPerson>"
                       "</intendedRecipient>")
        victim_country = None
        if "T19" in signals:
            victim_country = "PH"
            others += ("<victim><victimPerson><address><country>PH</country></address><age>10</age></victimPerson>"
                       "</victim>")
        elif "T20" in signals:
            others += "<victim><victimPerson><age>2</age></victimPerson></victim>"
        annotations = ""
        if "T10" in signals and rng.random() < 0.6:
            annotations = "<reportAnnotations><sextortion>true</sextortion></reportAnnotations>"
        elif "T12" in signals:
            annotations = ("<reportAnnotations><minorToMinorInteraction>true</minorToMinorInteraction>"
                           "</reportAnnotations>")
        escalate = "<escalateToHighPriority>true</escalateToHighPriority>" if is_p1(signals) and rng.random() < 0.4 \
            else ""
        batched = '<batchedReport reason="VIRAL_POTENTIAL_MEME"/>' if meme else ""
        chat = (scenario in ("fresh_production",) and "group chat") or "chat"
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<report>'
            f"{batched}<incidentSummary><incidentType>{escape(incident)}</incidentType>"
            f"<platform>{escape(provider)}</platform>{escalate}{annotations}"
            f"<incidentDateTime>{_iso(incident_at)}</incidentDateTime></incidentSummary>"
            f"<internetDetails><chatImIncident><chatClient>{escape(provider)}</chatClient>"
            f"<chatRoomName>{chat}</chatRoomName></chatImIncident></internetDetails>"
            "<reporter><reportingPerson><firstName>Trust</firstName><lastName>Safety</lastName>"
            f"<email>safety@{provider.lower().replace(' ', '')}.example.com</email></reportingPerson></reporter>"
            f"{reported}{others}<additionalInfo>{escape(text)}</additionalInfo></report>\n"
        )
        out.received_at = incident_at + timedelta(minutes=rng.randint(60, 72 * 60))
        folder = f"ncmec/{index // 10_000:04d}"
        out.files[f"{folder}/{report_id}.xml"] = xml.encode()
        files = self._files(rng, report_id, scenario, signals, meme, incident_at, out)
        for name, content in files:
            out.files[f"{folder}/{name}"] = content
        geolocations = [IpGeolocation(
            ip_address=ip, country=ip_country, city=who.city.name if ip_country == who.country.code else None,
            isp=f"Example Telecom {ip_country}", proxy=proxy or None)]
        layer = ClearingHouseLayer(geolocations=tuple(geolocations), notes=("Synthetic NCMEC geolocation.",),
                                   sent_to=(true_country,), country=true_country)
        out.layer = json.dumps({"clearing_house_for": {"source": "ncmec", "source_id": report_id},
                                "layer": layer.model_dump(mode="json", exclude_defaults=True)})
        region = who.city.region if true_country == who.country.code else None
        out.truth = json.dumps({
            "source": "ncmec", "source_id": report_id, "person": who.person_id if repeat else None,
            "country": true_country, "region": region, "signals": sorted(signals), "p1": is_p1(signals),
            "cgnat": cgnat, "meme": meme, "scenario": scenario, "distractor": distracted,
            "known_only": bool(files) and not meme and not repeat and not (signals - {"T2", "T23", "T8"}),
            "victim_country": victim_country, "conflict": conflict,
        })
        return out

    def _foreign_phone(self, index: int, rng: random.Random, who: Person, scenario: str | None,
                       repeat: bool) -> str | None:
        """A phone number from another country than the person's (travellers, foreign SIMs): a routing conflict."""
        if scenario == "conflict_ip_es_phone_fr":
            return f"+33{phone('FR', 9999 - index // BLOCK)}"
        if scenario is None and repeat and who.phone_nsn is not None and who.phone_index is not None \
                and rng.random() < 0.1:
            pick = rng_for(self.seed, "foreign", who.person_id)
            other = pick.choice([c for c in sorted(FICTIONAL_PHONES) if c != who.country.code])
            half = phone_count(other) // 2
            slot = sorted(FICTIONAL_PHONES).index(who.country.code)
            offset = who.phone_index * len(FICTIONAL_PHONES) + slot
            if offset >= half:  # the other country's upper half is used up: no foreign number (never a shared one)
                return None
            return f"{BY_CODE[other].calling_code}{phone(other, half + offset)}"
        return None

    def _person_xml(self, who: Person, rng: random.Random, repeat: bool, scenario: str | None,
                    foreign_phone: str | None, age: int | None) -> str:
        parts = [f"<firstName>{escape(who.first_name)}</firstName><lastName>{escape(who.last_name)}</lastName>"]
        if foreign_phone is not None:
            parts.append(f'<phone type="Mobile">{escape(foreign_phone)}</phone>')
        elif who.phone_nsn is not None and (rng.random() < 0.7 or scenario):
            number, code = who.phone_as_written(rng)
            attr = f" countryCallingCode={quoteattr(code)}" if code else ""
            parts.append(f'<phone type="Mobile"{attr}>{escape(number)}</phone>')
        if (repeat and rng.random() < 0.95) or rng.random() < 0.8:
            parts.append(f"<email>{escape(who.email_as_written(rng))}</email>")
        if rng.random() < 0.4 or scenario:
            parts.append(f"<address><address>{escape(who.street)}</address><city>{escape(who.city.name)}</city>"
                         f"<zipCode>{escape(who.postal_code)}</zipCode><country>{who.country.code}</country>"
                         "</address>")
        if age is not None:
            parts.append(f"<age>{age}</age>")
        elif rng.random() < 0.3:
            parts.append(f"<dateOfBirth>{who.date_of_birth.isoformat()}</dateOfBirth>")
        return f"<personOrUserReportedPerson>{''.join(parts)}</personOrUserReportedPerson>"

    def _files(self, rng: random.Random, report_id: str, scenario: str | None, signals: set[str], meme: bool,
               incident_at: datetime, out: Generated) -> list[tuple[str, bytes]]:
        if scenario == "coach_text_only" or (scenario is None and rng.random() < 0.05):
            signals.discard("T6")
            return []
        count = 4 if scenario == "four_unknown_files" else rng.choice((1, 1, 1, 2, 3))
        known = scenario == "known_hash_mentor" or (scenario is None and not meme and rng.random() < 0.95)
        docs = []
        any_unknown = False
        victim_identified_known = False
        for k in range(count):
            file_id = f"f{k + 1}"
            md5 = viral_md5(self.seed, rng.randrange(5)) if meme else _hex(rng, 32)
            pdq = _hex(rng, 64)
            uploaded = incident_at - timedelta(minutes=1)
            exif = ""
            if "T6" in signals and k == 0:
                captured = uploaded - timedelta(minutes=rng.randint(2, 20))
                exif = ("<details type=\"EXIF\"><nameValuePair><name>DateTimeOriginal</name>"
                        f"<value>{captured.strftime('%Y:%m:%d %H:%M:%S')}</value></nameValuePair>"
                        "<nameValuePair><name>OffsetTimeOriginal</name><value>+00:00</value></nameValuePair>"
                        "</details>")
            elif rng.random() < 0.2:
                captured = uploaded - timedelta(days=rng.randint(30, 2000))
                exif = ("<details type=\"EXIF\"><nameValuePair><name>DateTimeOriginal</name>"
                        f"<value>{captured.strftime('%Y:%m:%d %H:%M:%S')}</value></nameValuePair></details>")
            if known:
                identified = scenario == "known_hash_mentor" or rng.random() < 0.4
                victim_identified_known |= identified
                near = rng.random() < 0.3
                out.list_entries.append(ListEntry(
                    md5=None if near else md5, pdq=_flip(pdq, rng, rng.randint(2, 12)) if near else pdq,
                    victim_identified=identified, category=1, series=f"SYN-{rng.randint(1, 400):03d}"))
            elif not meme:
                any_unknown = True
            relevance = "<fileAnnotations><infant>true</infant></fileAnnotations>" if "T20" in signals and k == 0 \
                else ("<potentialMeme>true</potentialMeme>" if meme else "")
            xml = (
                '<?xml version="1.0" encoding="UTF-8"?>\n<fileDetails>'
                f"<reportId>{report_id}</reportId><fileId>{file_id}</fileId>"
                f"<fileName>{file_id}.jpg</fileName><uploadedToEspTimestamp>{_iso(uploaded)}</uploadedToEspTimestamp>"
                f"<fileViewedByEsp>{'true' if rng.random() < 0.7 else 'false'}</fileViewedByEsp>"
                f"<publiclyAvailable>{'true' if rng.random() < 0.1 else 'false'}</publiclyAvailable>"
                f"{relevance}<industryClassification>{rng.choice(('A1', 'A2', 'B1', 'B2'))}</industryClassification>"
                f'<originalFileHash hashType="MD5">{md5}</originalFileHash>'
                f'<originalFileHash hashType="PDQ">{pdq}</originalFileHash>{exif}</fileDetails>\n'
            )
            docs.append((f"{report_id}-{file_id}.xml", xml.encode()))
        if any_unknown:
            signals.add("T1")
        if victim_identified_known:
            signals.add("T2")
        return docs

    # -- other origins ------------------------------------------------------------------------------------------
    def _native(self, index: int, rng: random.Random) -> Generated:
        out = Generated()
        who = person(self.seed, f"U{index}")
        origin = rng.choice(OTHER_ORIGINS)
        signals = self._signals(rng, None, "")
        signals.discard("T6")
        signals.discard("T20")
        signals.add("T25")
        text, distracted = self._text(rng, who.country.language, signals, False)
        source = f"{origin.value}:{who.country.code}"
        reported = Party(role=PartyRole.REPORTED, first_name=who.first_name, last_name=who.last_name,
                         emails=(), phones=(),
                         addresses=({"city": who.city.name, "postal_code": who.postal_code,
                                     "country": who.country.code},),
                         age=rng.randint(13, 17) if "T12" in signals else None)
        report = Report(source=source, source_id=f"{who.country.code}-{index:08d}", origin=origin,
                        received_at=EPOCH + timedelta(minutes=index * 0.5), additional_info=text,
                        parties=(reported,), language=who.country.language)
        out.native = report.model_dump_json(exclude_defaults=True)
        out.truth = json.dumps({
            "source": source, "source_id": report.source_id, "person": None, "country": who.country.code,
            "region": who.city.region, "signals": sorted(signals), "p1": is_p1(signals), "cgnat": False,
            "meme": False, "scenario": None, "distractor": distracted, "victim_country": None, "conflict": False,
            "known_only": False,
        })
        return out
