"""Every message a person reads from this service, in Indonesian and English."""

from sinergi_kit.i18n import register_messages

register_messages(
    {
        "factcheck.empty_report": {
            "id": "Laporan kosong: tulis isi pesan, tautan, atau lampirkan gambar.",
            "en": "The report is empty: give the text, a link or an image.",
        },
        "factcheck.invalid_url": {
            "id": "Tautan '{url}' tidak dapat diterima; kirim alamat web http(s) biasa.",
            "en": "The link '{url}' cannot be accepted; send a plain http(s) web address.",
        },
        "factcheck.unknown_image": {
            "id": "Gambar {sha256} belum diunggah.",
            "en": "Image {sha256} has not been uploaded.",
        },
        "factcheck.not_an_image": {
            "id": "Berkas bukan gambar PNG, JPEG, GIF, atau WebP.",
            "en": "The file is not a PNG, JPEG, GIF or WebP image.",
        },
        "factcheck.too_large": {
            "id": "Kiriman terlalu besar (maksimal {limit} bita).",
            "en": "The upload is too large (at most {limit} bytes).",
        },
        "factcheck.rate_limited": {
            "id": "Terlalu banyak laporan. Coba lagi dalam {seconds} detik.",
            "en": "Too many reports. Try again in {seconds} seconds.",
        },
        "factcheck.share_rate_limited": {
            "id": "Tautan ini terlalu sering dipakai untuk konfirmasi. "
            "Coba lagi dalam {seconds} detik.",
            "en": "This link has confirmed too often. Try again in {seconds} seconds.",
        },
        "factcheck.case_not_found": {"id": "Kasus tidak ditemukan.", "en": "Case not found."},
        "factcheck.case_out_of_scope": {
            "id": "Kasus ini bukan wewenang organisasi Anda.",
            "en": "This case is not assigned to your organisation.",
        },
        "factcheck.kkd_only": {
            "id": "Hanya verifikator KKD yang dapat melakukan ini.",
            "en": "Only KKD verifiers can do this.",
        },
        "factcheck.illegal_transition": {
            "id": "Kasus berstatus '{current}' tidak dapat diubah menjadi '{wanted}'.",
            "en": "A case in '{current}' cannot become '{wanted}'.",
        },
        "factcheck.stale": {
            "id": "Data berubah sejak Anda membukanya. Muat ulang lalu coba lagi.",
            "en": "The data changed since you opened it. Reload and try again.",
        },
        "factcheck.no_verdict": {
            "id": "Kasus ini belum memiliki draf putusan.",
            "en": "This case has no draft verdict yet.",
        },
        "factcheck.four_eyes.approver_is_author": {
            "id": "Penyetuju tidak boleh penulis putusan (prinsip empat mata).",
            "en": "The approver cannot be the verdict's author (four-eyes rule).",
        },
        "factcheck.four_eyes.no_official_evidence": {
            "id": "Perlu setidaknya satu bukti dari sumber resmi.",
            "en": "At least one item of evidence must come from an official source.",
        },
        "factcheck.four_eyes.election_same_organization": {
            "id": "Kasus pemilu harus disetujui verifikator dari organisasi lain.",
            "en": "An election case must be approved by a verifier of another organisation.",
        },
        "factcheck.invalid_verdict.hoax_type_needs_false_rating": {
            "id": "Jenis hoaks hanya untuk penilaian Salah, Menyesatkan, atau Penipuan.",
            "en": "A hoax type only fits a Salah, Menyesatkan or Penipuan rating.",
        },
        "factcheck.invalid_verdict.label_does_not_fit_rating": {
            "id": "Label publik tidak sesuai dengan penilaian.",
            "en": "The public label does not fit the rating.",
        },
        "factcheck.merge_target": {
            "id": "Kasus tidak dapat digabung ke dirinya sendiri atau ke kasus yang sudah "
            "digabung.",
            "en": "A case cannot be merged into itself or into a merged case.",
        },
        "factcheck.clarification_not_found": {
            "id": "Klarifikasi tidak ditemukan.",
            "en": "Clarification not found.",
        },
        "factcheck.clarification_retracted": {
            "id": "Klarifikasi ini sudah ditarik.",
            "en": "This clarification has been retracted.",
        },
        "factcheck.referral_not_found": {
            "id": "Rujukan tidak ditemukan.",
            "en": "Referral not found.",
        },
        "factcheck.referral_answered": {
            "id": "Rujukan ini sudah dijawab.",
            "en": "This referral has already been answered.",
        },
        "factcheck.share_not_found": {
            "id": "Tautan berbagi tidak dikenal.",
            "en": "Unknown share link.",
        },
        "factcheck.campaign_not_found": {
            "id": "Kampanye tidak ditemukan.",
            "en": "Campaign not found.",
        },
        "factcheck.no_targets": {
            "id": "Pilih antara satu dan 2000 akun sasaran (ditemukan {found}).",
            "en": "Choose between one and 2,000 target accounts ({found} found).",
        },
        "factcheck.segment_not_found": {
            "id": "Segmen {segment_id} tidak dikenal (atau sudah dihapus) di registri.",
            "en": "Segment {segment_id} is not known (or was deleted) in the registry.",
        },
        "factcheck.not_published": {
            "id": "Klarifikasi belum terbit atau sudah ditarik.",
            "en": "The clarification is not published or has been retracted.",
        },
        "factcheck.invalid_feed": {
            "id": "Dokumen bukan JSON-LD ClaimReview yang dapat dibaca.",
            "en": "The document is not readable ClaimReview JSON-LD.",
        },
    }
)
