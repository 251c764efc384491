"""Countries and regions, with the region ids of a fresh Magento install.

Region ids are auto-increment values from Magento's directory data patch, so they are the same on
every fresh install (California 12, New York 43, ...). Countries whose regions are not listed here
simply have none in the emulator.
"""

from __future__ import annotations

from typing import Any

from .errors import MagentoError

# (id, three-letter code, English name)
COUNTRIES: tuple[tuple[str, str, str], ...] = (
    ("AT", "AUT", "Austria"),
    ("AU", "AUS", "Australia"),
    ("BE", "BEL", "Belgium"),
    ("BR", "BRA", "Brazil"),
    ("CA", "CAN", "Canada"),
    ("CH", "CHE", "Switzerland"),
    ("CN", "CHN", "China"),
    ("DE", "DEU", "Germany"),
    ("DK", "DNK", "Denmark"),
    ("ES", "ESP", "Spain"),
    ("FI", "FIN", "Finland"),
    ("FR", "FRA", "France"),
    ("GB", "GBR", "United Kingdom"),
    ("HK", "HKG", "Hong Kong SAR China"),
    ("IE", "IRL", "Ireland"),
    ("IN", "IND", "India"),
    ("IT", "ITA", "Italy"),
    ("JP", "JPN", "Japan"),
    ("MO", "MAC", "Macao SAR China"),
    ("MX", "MEX", "Mexico"),
    ("NL", "NLD", "Netherlands"),
    ("NO", "NOR", "Norway"),
    ("NZ", "NZL", "New Zealand"),
    ("PA", "PAN", "Panama"),
    ("PL", "POL", "Poland"),
    ("PT", "PRT", "Portugal"),
    ("SE", "SWE", "Sweden"),
    ("SG", "SGP", "Singapore"),
    ("US", "USA", "United States"),
    ("ZA", "ZAF", "South Africa"),
)

_US = (
    "AL Alabama|AK Alaska|AS American Samoa|AZ Arizona|AR Arkansas|AE Armed Forces Africa|"
    "AA Armed Forces Americas|AE Armed Forces Canada|AE Armed Forces Europe|"
    "AE Armed Forces Middle East|AP Armed Forces Pacific|CA California|CO Colorado|"
    "CT Connecticut|DE Delaware|DC District of Columbia|FM Federated States Of Micronesia|"
    "FL Florida|GA Georgia|GU Guam|HI Hawaii|ID Idaho|IL Illinois|IN Indiana|IA Iowa|KS Kansas|"
    "KY Kentucky|LA Louisiana|ME Maine|MH Marshall Islands|MD Maryland|MA Massachusetts|"
    "MI Michigan|MN Minnesota|MS Mississippi|MO Missouri|MT Montana|NE Nebraska|NV Nevada|"
    "NH New Hampshire|NJ New Jersey|NM New Mexico|NY New York|NC North Carolina|"
    "ND North Dakota|MP Northern Mariana Islands|OH Ohio|OK Oklahoma|OR Oregon|PW Palau|"
    "PA Pennsylvania|PR Puerto Rico|RI Rhode Island|SC South Carolina|SD South Dakota|"
    "TN Tennessee|TX Texas|UT Utah|VT Vermont|VI Virgin Islands|VA Virginia|WA Washington|"
    "WV West Virginia|WI Wisconsin|WY Wyoming"
)
_CA = (
    "AB Alberta|BC British Columbia|MB Manitoba|NL Newfoundland and Labrador|NB New Brunswick|"
    "NS Nova Scotia|NT Northwest Territories|NU Nunavut|ON Ontario|PE Prince Edward Island|"
    "QC Quebec|SK Saskatchewan|YT Yukon Territory"
)
_DE = (
    "NDS Niedersachsen|BAW Baden-Württemberg|BAY Bayern|BER Berlin|BRG Brandenburg|BRE Bremen|"
    "HAM Hamburg|HES Hessen|MEC Mecklenburg-Vorpommern|NRW Nordrhein-Westfalen|"
    "RHE Rheinland-Pfalz|SAR Saarland|SAS Sachsen|SAC Sachsen-Anhalt|SCN Schleswig-Holstein|"
    "THE Thüringen"
)
_AT = (
    "WI Wien|NO Niederösterreich|OO Oberösterreich|SB Salzburg|KN Kärnten|ST Steiermark|"
    "TI Tirol|BL Burgenland|VB Vorarlberg"
)
_CH = (
    "AG Aargau|AI Appenzell Innerrhoden|AR Appenzell Ausserrhoden|BE Bern|BL Basel-Landschaft|"
    "BS Basel-Stadt|FR Freiburg|GE Genf|GL Glarus|GR Graubünden|JU Jura|LU Luzern|NE Neuenburg|"
    "NW Nidwalden|OW Obwalden|SG St. Gallen|SH Schaffhausen|SO Solothurn|SZ Schwyz|TG Thurgau|"
    "TI Tessin|UR Uri|VD Waadt|VS Wallis|ZG Zug|ZH Zürich"
)
# Spain's region codes are the names themselves.
_ES = (
    "A Coruña|Álava|Albacete|Alicante|Almería|Asturias|Ávila|Badajoz|Baleares|Barcelona|Burgos|"
    "Cáceres|Cádiz|Cantabria|Castellón|Ceuta|Ciudad Real|Córdoba|Cuenca|Girona|Granada|"
    "Guadalajara|Guipúzcoa|Huelva|Huesca|Jaén|La Rioja|Las Palmas|León|Lleida|Lugo|Madrid|"
    "Málaga|Melilla|Murcia|Navarra|Ourense|Palencia|Pontevedra|Salamanca|"
    "Santa Cruz de Tenerife|Segovia|Sevilla|Soria|Tarragona|Teruel|Toledo|Valencia|Valladolid|"
    "Vizcaya|Zamora|Zaragoza"
)

# In Magento's install order, which fixes the ids.
_REGION_SOURCES: tuple[tuple[str, str, bool], ...] = (
    ("US", _US, True),
    ("CA", _CA, True),
    ("DE", _DE, True),
    ("AT", _AT, True),
    ("CH", _CH, True),
    ("ES", _ES, False),
)

# general/region/state_required (only countries that have regions matter).
STATE_REQUIRED = frozenset({"US", "CA", "CH", "ES"})
# general/country/optional_zip_countries
OPTIONAL_ZIP = frozenset({"HK", "IE", "MO", "PA", "GB"})


def _build_regions() -> dict[str, list[dict[str, Any]]]:
    regions: dict[str, list[dict[str, Any]]] = {}
    next_id = 1
    for country, source, coded in _REGION_SOURCES:
        for entry in source.split("|"):
            code, name = entry.split(" ", 1) if coded else (entry, entry)
            regions.setdefault(country, []).append({"id": next_id, "code": code, "name": name})
            next_id += 1
    return regions


REGIONS = _build_regions()
REGIONS_BY_ID = {r["id"]: (country, r) for country, rs in REGIONS.items() for r in rs}
COUNTRY_IDS = frozenset(c[0] for c in COUNTRIES)


def country_info(country: tuple[str, str, str]) -> dict[str, Any]:
    """A country as `directory-data-country-information-interface`."""
    code, three, name = country
    info: dict[str, Any] = {
        "id": code,
        "two_letter_abbreviation": code,
        "three_letter_abbreviation": three,
        "full_name_locale": name,
        "full_name_english": name,
    }
    if code in REGIONS:
        info["available_regions"] = [
            {"id": str(r["id"]), "code": r["code"], "name": r["name"]} for r in REGIONS[code]
        ]
    return info


def countries() -> list[dict[str, Any]]:
    """`GET /V1/directory/countries`."""
    return [country_info(c) for c in COUNTRIES]


def country(country_id: str) -> dict[str, Any]:
    """`GET /V1/directory/countries/{id}`."""
    for entry in COUNTRIES:
        if entry[0] == country_id.upper():
            return country_info(entry)
    raise MagentoError(404, "Requested country is not available.")


def find_region(country_id: str, code_or_name: str) -> dict[str, Any] | None:
    """The country's region with this code or name, if any."""
    wanted = code_or_name.strip().lower()
    for region in REGIONS.get(country_id, []):
        if wanted in {region["code"].lower(), region["name"].lower()}:
            return region
    return None


def find_region_by_code(country_id: str, code: str) -> dict[str, Any] | None:
    """`Region::loadByCode`: the country's region with this code (case-insensitive column)."""
    wanted = code.strip().lower()
    for region in REGIONS.get(country_id, []):
        if region["code"].lower() == wanted:
            return region
    return None
