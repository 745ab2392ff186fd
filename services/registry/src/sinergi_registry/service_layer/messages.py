"""Every message the registry shows a person, in Indonesian (default) and English."""

from sinergi_kit.i18n import register_messages

register_messages(
    {
        "registry.invalid_handle": {
            "id": "Handle atau URL profil '{handle}' tidak dikenali untuk {platform}.",
            "en": "The handle or profile URL '{handle}' is not recognised for {platform}.",
        },
        "registry.account_exists": {
            "id": "Akun {platform} '{handle}' sudah terdaftar.",
            "en": "The {platform} account '{handle}' is already registered.",
        },
        "registry.account_not_found": {"id": "Akun tidak ditemukan.", "en": "Account not found."},
        "registry.unknown_district": {
            "id": "'{district}' bukan kecamatan di Kabupaten Jombang.",
            "en": "'{district}' is not a district (kecamatan) of Jombang.",
        },
        "registry.illegal_transition": {
            "id": "Status verifikasi tidak bisa berubah dari {current} ke {wanted}.",
            "en": "The verification status cannot change from {current} to {wanted}.",
        },
        "registry.organization_not_found": {
            "id": "Organisasi tidak ditemukan.",
            "en": "Organisation not found.",
        },
        "registry.organization_exists": {
            "id": "Organisasi bernama '{name}' sudah terdaftar.",
            "en": "An organisation named '{name}' is already registered.",
        },
        "registry.person_not_found": {"id": "Orang tidak ditemukan.", "en": "Person not found."},
        "registry.person_erased": {
            "id": "Data pribadi orang ini sudah dihapus.",
            "en": "This person's personal data has been erased.",
        },
        "registry.contact_taken": {
            "id": "Kontak {field} '{value}' sudah dipakai orang lain.",
            "en": "The {field} contact '{value}' already belongs to someone else.",
        },
        "registry.invalid_contact": {
            "id": "Kontak {field} '{value}' tidak valid.",
            "en": "The {field} contact '{value}' is not valid.",
        },
        "registry.accounts_not_found": {
            "id": "Akun berikut tidak ada: {ids}.",
            "en": "These accounts do not exist: {ids}.",
        },
        "registry.segment_not_found": {"id": "Segmen tidak ditemukan.", "en": "Segment not found."},
        "registry.segment_exists": {
            "id": "Segmen bernama '{name}' sudah ada.",
            "en": "A segment named '{name}' already exists.",
        },
        "registry.out_of_scope": {
            "id": "Anda hanya boleh mengubah data organisasi Anda sendiri.",
            "en": "You may only change your own organisation's records.",
        },
        "registry.login_failed": {
            "id": "Nama pengguna atau kata sandi salah.",
            "en": "Wrong username or password.",
        },
        "registry.api_token_invalid": {
            "id": "Token API tidak dikenal atau sudah dicabut.",
            "en": "The API token is unknown or has been revoked.",
        },
        "registry.user_exists": {
            "id": "Nama pengguna '{username}' sudah dipakai.",
            "en": "The username '{username}' is taken.",
        },
        "registry.user_not_found": {"id": "Pengguna tidak ditemukan.", "en": "User not found."},
        "registry.token_not_found": {"id": "Token tidak ditemukan.", "en": "Token not found."},
        "registry.import_unreadable": {
            "id": "Berkas impor tidak bisa dibaca: {reason}",
            "en": "The import file cannot be read: {reason}",
        },
        "registry.import_columns": {
            "id": "Kolom wajib tidak ada: {missing}. Kolom yang dikenal: {known}.",
            "en": "Required columns are missing: {missing}. Known columns: {known}.",
        },
    }
)
