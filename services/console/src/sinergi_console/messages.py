"""Everything the console says, in Indonesian and English (the kit catalog)."""

from __future__ import annotations

from sinergi_kit.i18n import Lang, register_messages

M = dict[str, dict[Lang, str]]


def _pairs(prefix: str, texts: dict[str, tuple[str, str]]) -> M:
    return {f"{prefix}.{key}": {"id": id_, "en": en} for key, (id_, en) in texts.items()}


def register_console_messages() -> None:
    register_messages(
        _pairs(
            "console",
            {
                "skip": ("Langsung ke isi", "Skip to content"),
                "nav": ("Navigasi utama", "Main navigation"),
                "logout": ("Keluar", "Sign out"),
                "home": ("Beranda", "Home"),
                "unreachable": (
                    "Layanan {service} tidak dapat dihubungi. Coba lagi sebentar lagi.",
                    "The {service} service cannot be reached. Try again shortly.",
                ),
                "bad_token": ("Token tidak dapat dibaca.", "The token is unreadable."),
            },
        )
        | _pairs(
            "nav",
            {
                "accounts": ("Akun", "Accounts"),
                "people": ("Orang", "People"),
                "organizations": ("Organisasi", "Organisations"),
                "segments": ("Segmen", "Segments"),
                "stats": ("Statistik", "Statistics"),
                "imports": ("Impor", "Import"),
                "events": ("Kegiatan", "Events"),
                "cases": ("Cek fakta", "Fact-check"),
                "notifications": ("Notifikasi", "Notifications"),
            },
        )
        | _pairs(
            "login",
            {
                "title": ("Masuk ke Sinergi", "Sign in to Sinergi"),
                "username": ("Nama pengguna", "Username"),
                "password": ("Kata sandi", "Password"),
                "submit": ("Masuk", "Sign in"),
            },
        )
        | _pairs(
            "home",
            {
                "title": ("Konsol Sinergi", "Sinergi console"),
                "welcome": ("Selamat datang, {name}.", "Welcome, {name}."),
            },
        )
        | _pairs("problem", {"title": ("Permintaan ditolak", "Request refused")})
        | _pairs(
            "filter",
            {
                "search": ("Cari", "Search"),
                "all": ("Semua", "All"),
                "apply": ("Terapkan", "Apply"),
            },
        )
        | _pairs(
            "list",
            {
                "empty": ("Tidak ada data.", "Nothing here."),
                "next": ("Halaman berikutnya", "Next page"),
            },
        )
        | _pairs(
            "field",
            {
                "platform": ("Platform", "Platform"),
                "category": ("Kategori", "Category"),
                "managed_by": ("Pengelola", "Managed by"),
                "district": ("Kecamatan", "District"),
                "verification_status": ("Status verifikasi", "Verification status"),
                "display_name": ("Nama tampilan", "Display name"),
                "handle": ("Nama akun", "Handle"),
                "followers": ("Pengikut", "Followers"),
                "name": ("Nama", "Name"),
                "role": ("Peran", "Role"),
                "language": ("Bahasa", "Language"),
                "accounts": ("Akun dikelola", "Accounts managed"),
                "kind": ("Jenis", "Kind"),
                "contact": ("Kontak", "Contact"),
                "description": ("Deskripsi", "Description"),
                "title": ("Judul", "Title"),
                "theme": ("Tema", "Theme"),
                "venue": ("Tempat", "Venue"),
                "address": ("Alamat", "Address"),
                "starts_at": ("Mulai", "Starts"),
                "ends_at": ("Selesai", "Ends"),
                "capacity": ("Kapasitas", "Capacity"),
                "status": ("Status", "Status"),
            },
        )
        | _pairs(
            "stats",
            {
                "total": ("Total akun terdaftar: {total}", "Accounts registered: {total}"),
                "platform": ("Menurut platform", "By platform"),
                "category": ("Menurut kategori", "By category"),
                "managed_by": ("Menurut pengelola", "By managed-by"),
                "district": ("Menurut kecamatan", "By district"),
                "verification_status": ("Menurut status verifikasi", "By verification status"),
            },
        )
        | _pairs(
            "imports",
            {
                "help": (
                    "Unggah CSV atau XLSX. Periksa dulu (tidak mengubah data), lalu terapkan.",
                    "Upload a CSV or XLSX. Check it first (nothing changes), then apply.",
                ),
                "kind": ("Yang diimpor", "What to import"),
                "file": ("Berkas", "File"),
                "check": ("Periksa (uji coba)", "Check (dry run)"),
                "need_file": (
                    "Pilih berkas CSV atau XLSX (maks. 5 MB).",
                    "Choose a CSV or XLSX file (at most 5 MB).",
                ),
                "report_dry": ("Hasil pemeriksaan (belum diterapkan)", "Check (not applied)"),
                "report_applied": ("Hasil impor", "Import report"),
                "rows": ("Baris", "Rows"),
                "created": ("Baru", "Created"),
                "updated": ("Diperbarui", "Updated"),
                "unchanged": ("Tidak berubah", "Unchanged"),
                "failed": ("Ditolak", "Rejected"),
                "errors": ("Baris yang ditolak", "Rejected rows"),
                "row": ("Baris", "Row"),
                "field": ("Kolom", "Field"),
                "reason": ("Alasan", "Reason"),
                "truncated": (
                    "Daftar dipotong; masih ada baris lain yang ditolak.",
                    "List cut short; more rows were rejected.",
                ),
                "apply": ("Terapkan impor {name}", "Apply the import of {name}"),
            },
        )
        | _pairs(
            "segments",
            {
                "new": ("Segmen baru", "New segment"),
                "create": ("Simpan segmen", "Save segment"),
                "created": ("Segmen disimpan.", "Segment saved."),
                "districts": ("Kecamatan (pisahkan dengan koma)", "Districts (comma-separated)"),
                "filter": ("Saringan", "Filter"),
                "preview": ("Pratinjau anggota", "Member preview"),
                "counts": (
                    "{accounts} akun, {people} orang",
                    "{accounts} accounts, {people} people.",
                ),
            },
        )
        | _pairs(
            "events",
            {
                "new": ("Kegiatan baru", "New event"),
                "create": ("Simpan sebagai draf", "Save as draft"),
                "created": ("Kegiatan dibuat (draf).", "Event created (draft)."),
                "bad_time": ("Waktu tidak valid.", "The time is not valid."),
                "unlimited": ("tak terbatas", "unlimited"),
                "live": ("Angka langsung", "Live counts"),
                "actions": ("Kelola", "Manage"),
                "publish": ("Terbitkan", "Publish"),
                "published": ("Kegiatan diterbitkan.", "Event published."),
                "reschedule": ("Pindahkan jadwal", "Reschedule"),
                "rescheduled": ("Jadwal dipindahkan.", "Event rescheduled."),
                "cancel": ("Batalkan kegiatan", "Cancel the event"),
                "cancelled": ("Kegiatan dibatalkan.", "Event cancelled."),
                "cancel_reason": ("Alasan pembatalan", "Reason for cancelling"),
                "segment": ("Segmen", "Segment"),
                "invite": ("Undang segmen", "Invite the segment"),
                "invited": (
                    "{invited} undangan dikirim ({already} sudah diundang).",
                    "{invited} invited ({already} already invited).",
                ),
                "checkin": ("Check-in di pintu", "Check-in at the door"),
                "notifications": ("Status pengiriman undangan", "Invitation delivery status"),
                "report": ("Laporan kehadiran", "Attendance report"),
                "report_csv": ("Unduh CSV", "Download CSV"),
                "funnel": ("Corong kehadiran", "Attendance funnel"),
                "checked_in_by_segment": ("Hadir per segmen", "Checked in by segment"),
                "by_segment": ("Per segmen", "By segment"),
                "all": ("Semua undangan", "All invitations"),
            },
        )
        | _pairs(
            "funnel",
            {
                "invited": ("Diundang", "Invited"),
                "responded": ("Menjawab", "Responded"),
                "accepted": ("Hadir (RSVP)", "Accepted (RSVP)"),
                "declined": ("Menolak", "Declined"),
                "tentative": ("Mungkin", "Tentative"),
                "waitlisted": ("Daftar tunggu", "Waiting list"),
                "checked_in": ("Sudah check-in", "Checked in"),
                "no_show": ("Tidak datang", "No-show"),
                "walk_ins": ("Datang tanpa undangan", "Walk-ins"),
                "attendance_rate": ("Tingkat kehadiran", "Attendance rate"),
            },
        )
        | _pairs(
            "event_status",
            {
                "draft": ("Draf", "Draft"),
                "published": ("Terbit", "Published"),
                "registration_closed": ("Pendaftaran ditutup", "Registration closed"),
                "in_progress": ("Berlangsung", "In progress"),
                "completed": ("Selesai", "Completed"),
                "cancelled": ("Dibatalkan", "Cancelled"),
            },
        )
        | _pairs(
            "checkin",
            {
                "camera": ("Kamera pemindai", "Scanner camera"),
                "point_camera": ("Arahkan kamera ke kode QR.", "Point the camera at the QR code."),
                "use_camera": ("Pindai dengan kamera", "Scan with the camera"),
                "code": ("Kode tiket", "Pass code"),
                "direction": ("Arah", "Direction"),
                "entry": ("Masuk", "Entry"),
                "exit": ("Keluar", "Exit"),
                "submit": ("Check-in", "Check in"),
                "back": ("Kembali ke kegiatan", "Back to the event"),
            },
        )
        | _pairs(
            "cases",
            {
                "case": ("Kasus", "Case"),
                "claim": ("Klaim", "Claim"),
                "urgency": ("Urgensi", "Urgency"),
                "reports": ("Laporan", "Reports"),
                "due": ("Batas waktu", "Due"),
                "overdue": ("Lewat batas waktu", "Overdue"),
                "only_overdue": ("Hanya yang lewat batas waktu", "Only overdue"),
                "assignee": ("Pemeriksa", "Assignee"),
                "evidence": ("Bukti", "Evidence"),
                "official": ("Sumber resmi", "Official source"),
                "verdict": ("Putusan", "Verdict"),
                "work": ("Tindakan", "Actions"),
                "triage": ("Simpan triase", "Save triage"),
                "reject": ("Tolak", "Reject"),
                "reject_reason": ("Alasan penolakan", "Reason for rejecting"),
                "assign": ("Tugaskan", "Assign"),
                "evidence_kind": ("Jenis bukti", "Kind of evidence"),
                "source": ("Sumber", "Source"),
                "note": ("Catatan", "Note"),
                "add_evidence": ("Tambah bukti", "Add evidence"),
                "rating": ("Penilaian", "Rating"),
                "hoax_type": ("Jenis hoaks", "Hoax type"),
                "label": ("Label publik", "Public label"),
                "label_default": ("Sesuai penilaian", "From the rating"),
                "draft_verdict": ("Ajukan putusan", "Submit the verdict"),
                "four_eyes": (
                    "Putusan harus disetujui pemeriksa lain.",
                    "Another verifier must approve the verdict.",
                ),
                "approve": ("Setujui", "Approve"),
                "send_back": ("Kembalikan", "Send back"),
                "summary": ("Ringkasan", "Summary"),
                "body": ("Isi", "Body"),
                "publish": ("Terbitkan klarifikasi", "Publish the clarification"),
                "amplify_segment": ("Nama kelompok akun", "Name of the group of accounts"),
                "amplify_accounts": (
                    "ID akun (pisahkan dengan koma)",
                    "Account ids (comma-separated)",
                ),
                "amplify": ("Minta amplifikasi", "Ask for amplification"),
                "audit": ("Riwayat", "History"),
                "saved": ("Kasus diperbarui.", "Case updated."),
                "evidence_added": ("Bukti ditambahkan.", "Evidence added."),
                "verdict_drafted": ("Putusan diajukan untuk ditinjau.", "Verdict sent for review."),
                "approved": ("Putusan disetujui.", "Verdict approved."),
                "sent_back": ("Kasus dikembalikan.", "Case sent back."),
                "published": ("Klarifikasi diterbitkan.", "Clarification published."),
                "amplification_asked": (
                    "Permintaan amplifikasi dikirim.",
                    "Amplification requested.",
                ),
                "campaigns": ("Amplifikasi", "Amplification campaigns"),
                "no_campaigns": ("Belum ada amplifikasi.", "No amplification yet."),
                "campaign_requested": ("Diminta", "Requested"),
            },
        )
        | _pairs(
            "flag",
            {
                "election": ("Terkait pemilu", "Election-related"),
                "hate_speech": ("Ujaran kebencian", "Hate speech"),
                "potentially_criminal": ("Berpotensi pidana", "Potentially criminal"),
            },
        )
        | _pairs(
            "campaign",
            {
                "title": ("Kemajuan amplifikasi", "Amplification progress"),
                "progress": (
                    "{confirmed} dari {tasks} akun sudah membagikan",
                    "{confirmed} of {tasks} accounts have shared",
                ),
                "deadline": ("Tenggat", "Deadline"),
                "confirmed_by_segment": ("Dibagikan per kelompok", "Shared by group"),
            },
        )
        | _pairs(
            "notify",
            {
                "by_state": ("Menurut status pengiriman", "By delivery state"),
                "dead_letters": ("Gagal terkirim (dead letter)", "Dead letters"),
                "event_id": ("ID kegiatan", "Event id"),
                "created": ("Dibuat", "Created"),
                "channel": ("Saluran", "Channel"),
                "template": ("Templat", "Template"),
                "attempts": ("Percobaan", "Attempts"),
                "error": ("Keterangan", "Details"),
                "resend": ("Kirim ulang", "Resend"),
                "resend_all": ("Kirim ulang semua", "Resend all"),
                "resent": (
                    "{count} notifikasi dijadwalkan ulang.",
                    "{count} notifications resent.",
                ),
            },
        )
        | _pairs(
            "managed_by",
            {"government": ("Pemerintah", "Government"), "independent": ("Mandiri", "Independent")},
        )
        | _pairs(
            "category",
            {
                "government": ("Pemerintah", "Government"),
                "influencer": ("Influencer", "Influencer"),
                "community": ("Komunitas", "Community"),
                "media": ("Media", "Media"),
                "partner": ("Mitra", "Partner"),
            },
        )
        | _pairs(
            "verification_status",
            {
                "pending": ("Menunggu", "Pending"),
                "verified": ("Terverifikasi", "Verified"),
                "suspended": ("Ditangguhkan", "Suspended"),
                "retired": ("Pensiun", "Retired"),
            },
        )
        | _pairs(
            "case_status",
            {
                "received": ("Diterima", "Received"),
                "triage": ("Triase", "Triage"),
                "rejected": ("Ditolak", "Rejected"),
                "investigating": ("Diperiksa", "Investigating"),
                "in_review": ("Ditinjau", "In review"),
                "approved": ("Disetujui", "Approved"),
                "published": ("Terbit", "Published"),
                "corrected": ("Dikoreksi", "Corrected"),
                "retracted": ("Ditarik", "Retracted"),
                "merged": ("Digabung", "Merged"),
            },
        )
        | _pairs(
            "rating",
            {
                "salah": ("Salah", "False"),
                "menyesatkan": ("Menyesatkan", "Misleading"),
                "tidak_terbukti": ("Tidak terbukti", "Unproven"),
                "sebagian_benar": ("Sebagian benar", "Partly true"),
                "benar": ("Benar", "True"),
                "penipuan": ("Penipuan", "Scam"),
            },
        )
        | _pairs(
            "evidence_kind",
            {
                "official_statement": ("Pernyataan resmi", "Official statement"),
                "document": ("Dokumen", "Document"),
                "reverse_image_search": ("Penelusuran gambar", "Reverse image search"),
                "expert": ("Keterangan ahli", "Expert"),
                "data": ("Data", "Data"),
            },
        )
        | _pairs(
            "urgency",
            {
                "low": ("Rendah", "Low"),
                "normal": ("Biasa", "Normal"),
                "high": ("Tinggi", "High"),
                "critical": ("Kritis", "Critical"),
            },
        )
        | _pairs(
            "notification_state",
            {
                "pending": ("Menunggu", "Pending"),
                "sent": ("Terkirim", "Sent"),
                "delivered": ("Diterima", "Delivered"),
                "read": ("Dibaca", "Read"),
                "failed": ("Gagal", "Failed"),
                "dead": ("Gagal total", "Dead"),
                "skipped": ("Dilewati", "Skipped"),
                "cancelled": ("Dibatalkan", "Cancelled"),
            },
        )
    )
