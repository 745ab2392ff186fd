"""Demo data from the setting: Kabupaten Jombang's 64 government-run and 56 independent
social-media accounts (2022), the offices and people who manage them, the KKD and its
partners. Loading it twice adds nothing: what exists is recognised and left alone."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sinergi_kit.contracts.registry import AccountCategory, ManagedBy, OrganizationKind, Platform
from sinergi_kit.uow import UnitOfWork, UnitOfWorkFactory
from sinergi_registry.adapters.repository import (
    AccountRepository,
    OrganizationRepository,
    PersonRepository,
)
from sinergi_registry.domain.districts import DISTRICTS
from sinergi_registry.service_layer.accounts import (
    RegisterAccount,
    canonical_handle,
    register_account,
)
from sinergi_registry.service_layer.common import SYSTEM
from sinergi_registry.service_layer.organizations import (
    RegisterOrganization,
    register_organization,
)
from sinergi_registry.service_layer.people import (
    ConsentInput,
    ContactInput,
    RegisterPerson,
    register_person,
)

OPD: tuple[tuple[str, str, str], ...] = (
    ("Dinas Komunikasi dan Informatika Kabupaten Jombang", "Diskominfo", "diskominfo"),
    ("Dinas Pendidikan dan Kebudayaan Kabupaten Jombang", "Disdikbud", "disdikbud"),
    ("Dinas Kesehatan Kabupaten Jombang", "Dinkes", "dinkes"),
    ("Badan Penanggulangan Bencana Daerah Kabupaten Jombang", "BPBD", "bpbd"),
    ("Dinas Pariwisata dan Kepemudaan Kabupaten Jombang", "Disparpora", "disparpora"),
    ("Dinas Sosial Kabupaten Jombang", "Dinsos", "dinsos"),
    ("Satuan Polisi Pamong Praja Kabupaten Jombang", "Satpol PP", "satpolpp"),
    ("Dinas Perhubungan Kabupaten Jombang", "Dishub", "dishub"),
    ("Dinas Kependudukan dan Pencatatan Sipil Kabupaten Jombang", "Dispendukcapil", "dukcapil"),
    ("Dinas Pertanian Kabupaten Jombang", "Disperta", "disperta"),
    ("Dinas Koperasi dan Usaha Mikro Kabupaten Jombang", "Diskopum", "diskopum"),
    ("Dinas Lingkungan Hidup Kabupaten Jombang", "DLH", "dlh"),
    ("RSUD Jombang", "RSUD", "rsudjombang"),
    ("Badan Perencanaan Pembangunan Daerah Kabupaten Jombang", "Bappeda", "bappeda"),
    ("Bagian Protokol dan Komunikasi Pimpinan Setda Jombang", "Prokopim", "prokopim"),
)
PARTNERS: tuple[tuple[OrganizationKind, str, str], ...] = (
    ("kkd", "Komite Komunikasi Digital Kabupaten Jombang", "KKD Jombang"),
    ("partner_body", "Komisi Pemilihan Umum Kabupaten Jombang", "KPU Jombang"),
    ("partner_body", "Badan Pengawas Pemilihan Umum Kabupaten Jombang", "Bawaslu Jombang"),
    ("partner_body", "Kepolisian Resor Jombang", "Polres Jombang"),
    ("partner_body", "Komando Distrik Militer 0814/Jombang", "Kodim 0814"),
    ("media", "Asosiasi Media Siber Indonesia Jawa Timur", "AMSI Jatim"),
    ("fact_check", "Masyarakat Anti Fitnah Indonesia", "Mafindo"),
)
PEMKAB_PLATFORMS: tuple[Platform, ...] = (
    "instagram",
    "facebook",
    "x",
    "tiktok",
    "youtube",
    "threads",
    "website",
)
DISKOMINFO_EXTRA: tuple[tuple[Platform, str], ...] = (
    ("x", "kominfojombang"),
    ("tiktok", "diskominfo.jombang"),
    ("youtube", "diskominfojombang"),
    ("threads", "diskominfo.jombang"),
    ("telegram", "diskominfo_jombang"),
    ("website", "https://diskominfo.jombangkab.go.id"),
)
INFLUENCER_PLATFORMS: tuple[Platform, ...] = ("instagram", "tiktok", "youtube")
MEDIA = (
    "Warta Jombang",
    "Kabar Kota Santri",
    "Jombang Terkini",
    "Suara Brantas",
    "Radio Kebo Kicak",
)
INFLUENCERS = (
    "Dimas Kuliner Jombang",
    "Rina Jalan-jalan",
    "Mas Bagus Vlog",
    "Ayu Santri Kreatif",
    "Kang Farid Tani",
    "Nadia Literasi",
    "Yusuf Ngopi",
    "Tika Batik Jombang",
    "Arif Sejarah Majapahit",
    "Lala Wonosalam",
    "Bima Sepeda",
    "Fajar Foto Jombang",
)
COMMUNITIES = (
    "Komunitas Relawan Jombang",
    "Jombang Berbagi",
    "Sahabat Literasi Jombang",
    "Jombang Heritage",
    "Pemuda Peduli Brantas",
    "Komunitas Kopi Jombang",
    "Jombang Bersepeda",
    "Forum Anak Jombang",
    "Karang Taruna Jombang",
    "Paguyuban UMKM Jombang",
    "Jombang Peduli Lingkungan",
)


@dataclass(frozen=True)
class DemoAccount:
    platform: Platform
    handle: str
    name: str
    managed_by: ManagedBy
    category: AccountCategory
    district: str
    organization: str | None
    followers: int
    manager: str


def _slug(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalnum())


def demo_accounts() -> list[DemoAccount]:
    government: list[DemoAccount] = []
    for index, platform in enumerate(PEMKAB_PLATFORMS):
        handle = "https://jombangkab.go.id" if platform == "website" else "pemkabjombang"
        government.append(
            DemoAccount(
                platform,
                handle,
                "Pemerintah Kabupaten Jombang",
                "government",
                "government",
                "Jombang",
                "Prokopim",
                48_000 - index * 3_000,
                "Humas Pemkab",
            )
        )
    for _name, short, slug in OPD:
        for platform, followers in (("instagram", 9_000), ("facebook", 6_000)):
            government.append(
                DemoAccount(
                    platform,
                    f"{slug}.jombang" if platform == "instagram" else f"{slug}jombang",
                    f"{short} Jombang",
                    "government",
                    "government",
                    "Jombang",
                    short,
                    followers + len(slug) * 97,
                    f"Admin {short}",
                )
            )
    for platform, handle in DISKOMINFO_EXTRA:
        government.append(
            DemoAccount(
                platform,
                handle,
                "Diskominfo Jombang",
                "government",
                "government",
                "Jombang",
                "Diskominfo",
                5_500,
                "Admin Diskominfo",
            )
        )
    for district in DISTRICTS:
        slug = _slug(district)
        government.append(
            DemoAccount(
                "instagram",
                f"kecamatan.{slug}",
                f"Kecamatan {district}",
                "government",
                "government",
                district,
                f"Kecamatan {district}",
                1_500 + len(slug) * 61,
                f"Admin Kecamatan {district}",
            )
        )
    independent: list[DemoAccount] = []
    for index, district in enumerate(DISTRICTS):
        independent.append(
            DemoAccount(
                "instagram",
                f"info{_slug(district)}",
                f"Info {district}",
                "independent",
                "community",
                district,
                None,
                4_000 + index * 350,
                f"Pengelola Info {district}",
            )
        )
    for index, name in enumerate(INFLUENCERS):
        district = DISTRICTS[(index * 5) % len(DISTRICTS)]
        independent.append(
            DemoAccount(
                INFLUENCER_PLATFORMS[index % 3],
                _slug(name),
                name,
                "independent",
                "influencer",
                district,
                None,
                12_000 + index * 2_100,
                name,
            )
        )
    for index, name in enumerate(MEDIA):
        for platform in ("instagram", "facebook"):
            independent.append(
                DemoAccount(
                    platform,
                    _slug(name),
                    name,
                    "independent",
                    "media",
                    "Jombang",
                    None,
                    20_000 + index * 4_000,
                    f"Redaksi {name}",
                )
            )
    for index, name in enumerate(COMMUNITIES):
        district = DISTRICTS[(index * 3 + 1) % len(DISTRICTS)]
        independent.append(
            DemoAccount(
                "facebook",
                _slug(name),
                name,
                "independent",
                "community",
                district,
                None,
                2_500 + index * 400,
                f"Koordinator {name}",
            )
        )
    independent.append(
        DemoAccount(
            "whatsapp_channel",
            "0029VaKkdJombangInfoHoaks01",
            "Saluran Cek Fakta Jombang",
            "independent",
            "community",
            "Jombang",
            None,
            3_100,
            "Koordinator Cek Fakta",
        )
    )
    independent.append(
        DemoAccount(
            "telegram",
            "jombangupdate",
            "Jombang Update",
            "independent",
            "media",
            "Peterongan",
            None,
            1_900,
            "Redaksi Jombang Update",
        )
    )
    return government + independent


async def _organizations(uow: UnitOfWork) -> tuple[dict[str, UUID], int]:
    repository = OrganizationRepository(uow.session)
    commands = [
        RegisterOrganization(
            kind="government_office", name=name, short_name=short, district="Jombang"
        )
        for name, short, _ in OPD
    ]
    commands += [
        RegisterOrganization(kind="government_office", name=f"Kecamatan {d}", district=d)
        for d in DISTRICTS
    ]
    commands += [
        RegisterOrganization(kind=kind, name=name, short_name=short, district="Jombang")
        for kind, name, short in PARTNERS
    ]
    ids: dict[str, UUID] = {}
    created = 0
    for command in commands:
        state = await repository.find_by_name(command.name)
        if state is None:
            state = await register_organization(uow, command, SYSTEM)
            created += 1
        ids[command.short_name or command.name] = state.id
        ids[command.name] = state.id
    return ids, created


def _phone(index: int) -> str:
    return f"0812{30_000_000 + index:08d}"


async def load_demo(uow_factory: UnitOfWorkFactory) -> tuple[int, int, int]:
    """Organisations, accounts and people added (zero each on a second run)."""
    async with uow_factory() as uow:
        organizations, created_organizations = await _organizations(uow)
        accounts = AccountRepository(uow.session)
        people = PersonRepository(uow.session)
        managed: dict[str, list[UUID]] = {}
        organization_of: dict[str, UUID] = {}
        created_accounts = 0
        for item in demo_accounts():
            command = RegisterAccount(
                platform=item.platform,
                handle=item.handle,
                display_name=item.name,
                managed_by=item.managed_by,
                category=item.category,
                district=item.district,
                organization_id=organizations[item.organization] if item.organization else None,
                followers=item.followers,
                tags=["kopilaborasi-2022"],
            )
            handle = canonical_handle(item.platform, item.handle)
            state = await accounts.find_by_handle(item.platform, handle)
            if state is None:
                state = await register_account(uow, command, SYSTEM, source="demo")
                created_accounts += 1
            managed.setdefault(item.manager, []).append(state.id)
            if item.organization:
                organization_of[item.manager] = organizations[item.organization]
        created_people = 0
        for index, (name, account_ids) in enumerate(sorted(managed.items())):
            email = f"{_slug(name)}@contoh.jombangkab.go.id"
            if await people.find_by_contact(email, None):
                continue
            await register_person(
                uow,
                RegisterPerson(
                    name=name,
                    roles=["influencer"] if name in INFLUENCERS else ["account_admin"],
                    contact=ContactInput(email=email, whatsapp=_phone(index)),
                    consents=[
                        ConsentInput(purpose="communication", source="form:kopilaborasi-2022"),
                        ConsentInput(purpose="event_invitations", source="form:kopilaborasi-2022"),
                    ],
                    organization_id=organization_of.get(name),
                    managed_account_ids=account_ids,
                ),
                SYSTEM,
            )
            created_people += 1
        await accounts.refresh_statistics()
    return created_organizations, created_accounts, created_people
