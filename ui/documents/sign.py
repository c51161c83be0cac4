"""The "Firma digitale…" dialog: one empty signature field of a PDF, signed with a PKCS#12 file or a token.

Italian minutes are signed by each member in turn, so the dialog lists the PDF's fields and lets only
the empty ones be chosen; the core (``valutazione.signing``) does the PAdES signature as an incremental
update and reports wrong passwords, wrong PINs and fields already signed in Italian. The password or
PIN is typed in a masked field, handed to the worker once and cleared: it is never saved anywhere.

A box naming a person is signed only by that person's certificate (the core refuses another's, and its
message is shown); the chair may record a delegation, which goes into the signature and the audit log.
The dialog opens on the box of whoever entered the program, and after a signature it selects nothing
and forgets the certificate file: the next person chooses their own box and loads their own certificate.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui import dialogs
from ui.documents.build import tr
from ui.documents.export import ERROR_COLOUR, OK_COLOUR
from ui.user import User
from ui.workers import Job, run_task
from valutazione import signing
from valutazione.db import Database
from valutazione.errors import ValutazioneError
from valutazione.services import Session, identity
from valutazione.signer_identity import field_person, identity_problem, same_person

PDF_FILTER = "Documenti PDF (*.pdf);;Tutti i file (*)"
P12_FILTER = "Certificati PKCS#12 (*.p12 *.pfx);;Tutti i file (*)"
LIB_FILTER = "Librerie PKCS#11 (*.so *.dylib *.dll);;Tutti i file (*)"
PKCS11_SUGGESTIONS = {
    "linux": (
        "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
        "/usr/lib/x86_64-linux-gnu/pkcs11/opensc-pkcs11.so",
        "/usr/lib/libbit4xpki.so",
        "/usr/lib/libASEP11.so",
        "/usr/lib/softhsm/libsofthsm2.so",
    ),
    "win32": (
        r"C:\Windows\System32\bit4xpki.dll",
        r"C:\Windows\System32\incryptoki2.dll",
        r"C:\Windows\System32\asepkcs.dll",
        r"C:\Program Files\OpenSC Project\OpenSC\pkcs11\opensc-pkcs11.dll",
    ),
    "darwin": (
        "/Library/OpenSC/lib/opensc-pkcs11.so",
        "/usr/local/lib/libbit4xpki.dylib",
        "/usr/local/lib/libASEP11.dylib",
    ),
}


def pkcs11_suggestions(platform: str = sys.platform) -> list[str]:
    """The usual middleware paths for Italian signature cards, those present on this computer first."""
    paths = PKCS11_SUGGESTIONS.get(platform, PKCS11_SUGGESTIONS["linux"])
    return sorted(paths, key=lambda p: not Path(p).exists())


def buddy_label(text: str, buddy: QWidget) -> QLabel:
    """A form label whose mnemonic focuses ``buddy`` (a row holding a layout has no buddy by itself)."""
    label = QLabel(text)
    label.setBuddy(buddy)
    return label


def _browse_row(edit: QWidget, on_browse: Callable[[], None]) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addWidget(edit, 1)
    button = QPushButton(tr("Sfoglia…"))
    button.clicked.connect(on_browse)
    row.addWidget(button)
    return row


class SignDialog(QDialog):
    def __init__(self, parent: QWidget | None, db: Database, pdf: Path | None = None, user: User | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.user = user
        self.job: Job | None = None
        self.setWindowTitle(tr("Firma digitale di un PDF"))
        self.pdf = QLineEdit(str(pdf) if pdf else "")
        self.pdf.setPlaceholderText(tr("il PDF da firmare, per esempio il verbale esportato"))
        self.pdf.editingFinished.connect(self.load_fields)
        self.fields = QListWidget()
        self.fields.setMinimumHeight(90)
        self.fields.setMaximumHeight(150)
        doc_box = QGroupBox(tr("Documento"))
        doc_form = QFormLayout(doc_box)
        doc_form.addRow(buddy_label(tr("&PDF:"), self.pdf), _browse_row(self.pdf, self._browse_pdf))
        doc_form.addRow(tr("&Campo firma:"), self.fields)
        self.delegation = QLineEdit()
        chair = user is not None and user.is_chair
        self.delegation.setEnabled(chair)
        self.delegation.setPlaceholderText(
            tr("estremi dell'atto di delega, solo se si firma il campo di un'altra persona")
            if chair
            else tr("solo il presidente può registrare una delega di firma")
        )
        doc_form.addRow(buddy_label(tr("&Delega:"), self.delegation), self.delegation)

        self.use_p12 = QRadioButton(tr("File P&KCS#12 (.p12, .pfx)"))
        self.use_token = QRadioButton(tr("&Smart card o token (PKCS#11)"))
        self.use_p12.setChecked(True)
        self.p12 = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        p12_page = QWidget()
        p12_form = QFormLayout(p12_page)
        p12_form.setContentsMargins(0, 0, 0, 0)
        p12_form.addRow(buddy_label(tr("F&ile:"), self.p12), _browse_row(self.p12, self._browse_p12))
        p12_form.addRow(tr("Pass&word:"), self.password)
        self.library = QComboBox()
        self.library.setEditable(True)
        self.library.addItems(pkcs11_suggestions())
        self.token = QLineEdit()
        self.token.setPlaceholderText(tr("vuoto: l'unico token inserito"))
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        token_page = QWidget()
        token_form = QFormLayout(token_page)
        token_form.setContentsMargins(0, 0, 0, 0)
        token_form.addRow(buddy_label(tr("&Libreria:"), self.library), _browse_row(self.library, self._browse_library))
        token_form.addRow(tr("&Etichetta del token:"), self.token)
        token_form.addRow(tr("P&IN:"), self.pin)
        self.device = QStackedWidget()
        self.device.addWidget(p12_page)
        self.device.addWidget(token_page)
        self.use_token.toggled.connect(lambda on: self.device.setCurrentIndex(1 if on else 0))
        device_box = QGroupBox(tr("Dispositivo di firma"))
        device_layout = QVBoxLayout(device_box)
        choose = QHBoxLayout()
        choose.addWidget(self.use_p12)
        choose.addWidget(self.use_token)
        choose.addStretch(1)
        device_layout.addLayout(choose)
        device_layout.addWidget(self.device)

        self.replace = QRadioButton(tr("Sostituisci il PDF di partenza (dopo conferma)"))
        self.save_as = QRadioButton(tr("Salva come nuovo file…"))
        self.replace.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.replace)
        group.addButton(self.save_as)
        out_box = QGroupBox(tr("PDF firmato"))
        out_layout = QHBoxLayout(out_box)
        out_layout.addWidget(self.replace)
        out_layout.addWidget(self.save_as)
        out_layout.addStretch(1)

        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox()
        buttons.addButton(tr("Chiudi"), QDialogButtonBox.ButtonRole.RejectRole)
        self.sign_button = buttons.addButton(tr("&Firma"), QDialogButtonBox.ButtonRole.ActionRole)
        self.sign_button.setDefault(True)
        self.sign_button.clicked.connect(self.start)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for part in (doc_box, device_box, out_box):
            layout.addWidget(part)
        layout.addWidget(self.status)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.resize(640, self.sizeHint().height())
        self.load_fields()

    # -- the document ------------------------------------------------------------------------------------

    def _browse_pdf(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, tr("PDF da firmare"), self.pdf.text(), tr(PDF_FILTER))
        if name:
            self.pdf.setText(name)
            self.load_fields()

    def _browse_p12(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, tr("Certificato di firma"), self.p12.text(), tr(P12_FILTER))
        if name:
            self.p12.setText(name)

    def _browse_library(self) -> None:
        start = self.library.currentText()
        name, _ = QFileDialog.getOpenFileName(self, tr("Libreria PKCS#11"), start, tr(LIB_FILTER))
        if name:
            self.library.setCurrentText(name)

    def load_fields(self, preselect: bool = True) -> None:
        """Lists the fields; the signed ones are shown but cannot be chosen (a signature is never replaced).

        ``preselect`` chooses the box of whoever entered the program (or the first empty one when no box
        names them); after a signature nothing is chosen, so nobody signs the next box by pressing Enter.
        """
        self.fields.clear()
        text = self.pdf.text().strip()
        if not text:
            self._update_button()
            return
        try:
            fields = signing.list_signature_fields(Path(text))
        except ValutazioneError as exc:
            self._say(str(exc), ERROR_COLOUR)
            fields = []
        for f in fields:
            item = QListWidgetItem(tr("{name} — già firmato").format(name=f.name) if f.signed else f.name)
            item.setData(Qt.ItemDataRole.UserRole, f.name)
            if f.signed:
                item.setFlags(Qt.ItemFlag.NoItemFlags)
                item.setForeground(Qt.GlobalColor.darkGreen)
            self.fields.addItem(item)
        empty = [i for i in range(self.fields.count()) if self.fields.item(i).flags() & Qt.ItemFlag.ItemIsEnabled]
        if empty and preselect:
            own = [i for i in empty if self._is_own(self.fields.item(i).data(Qt.ItemDataRole.UserRole))]
            self.fields.setCurrentRow((own or empty)[0])
        elif empty:
            self.fields.setCurrentRow(-1)
        elif fields:
            self._say(tr("Tutti i campi firma di questo PDF sono già firmati."), OK_COLOUR)
        else:
            self._say(tr("Questo PDF non ha campi firma."), ERROR_COLOUR)
        self._update_button()

    def _is_own(self, name: str) -> bool:
        person = field_person(name)
        return self.user is not None and person is not None and same_person(person, [self.user.name])

    def field(self) -> str | None:
        item = self.fields.currentItem()
        if item is None or not item.flags() & Qt.ItemFlag.ItemIsEnabled:
            return None
        return str(item.data(Qt.ItemDataRole.UserRole))

    def _update_button(self) -> None:
        self.sign_button.setEnabled(self.job is None and self.fields.count() > 0)

    # -- signing -----------------------------------------------------------------------------------------

    def _output(self, source: Path) -> Path | None:
        if self.replace.isChecked():
            question = tr("Il PDF «{name}» sarà sostituito dalla versione firmata. Continuare?")
            ok = dialogs.confirm(self, tr("Firma digitale"), question.format(name=source.name), yes=tr("Firma"))
            return source if ok else None
        suggested = str(source.with_name(source.stem + "-firmato.pdf"))
        name, _ = QFileDialog.getSaveFileName(self, tr("Salva il PDF firmato"), suggested, tr(PDF_FILTER))
        if not name:
            return None
        return Path(name) if Path(name).suffix else Path(name).with_suffix(".pdf")

    def start(self) -> None:
        field = self.field()
        source = Path(self.pdf.text().strip())
        if field is None:
            self._say(tr("Scegliere un campo firma ancora vuoto."), ERROR_COLOUR)
            return
        token = self.use_token.isChecked()
        device = self.library.currentText().strip() if token else self.p12.text().strip()
        if not device:
            self._say(tr("Indicare la libreria PKCS#11.") if token else tr("Scegliere il file PKCS#12."), ERROR_COLOUR)
            return
        out = self._output(source)
        if out is None:
            return
        secret = (self.pin if token else self.password).text()
        label = self.token.text().strip() or None
        delegation = self.delegation.text().strip() if self.delegation.isEnabled() else ""
        chair_id = self.user.id if self.user is not None and self.user.is_chair else None
        self.password.clear()
        self.pin.clear()

        def task(session: Session, progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> str:
            if token:
                signer = signing.pkcs11_signer(device, label, pin=secret)
            else:
                signer = signing.p12_signer(device, secret.encode("utf-8") if secret else None)
            with signer:
                if identity_problem(field, signer.names) is not None and delegation and chair_id is not None:
                    # logged in the worker's transaction: a signature that fails leaves no row
                    identity.record_delegation(session, chair_id, source.name, field, signer.common_name, delegation)
                signing.sign_pdf(source, out, field, signer, delegation=delegation or None)
            return signer.common_name

        self._say(tr("Firma in corso…"), "")
        self.job = run_task(self, self.db, tr("Firma in corso…"), task)
        self._update_button()
        self.job.finished.connect(lambda name: self._done(field, str(name), out))
        self.job.failed.connect(self._failed)
        self.job.cancelled.connect(self._cancelled)

    def _done(self, field: str, name: str, out: Path) -> None:
        self.job = None
        self.pdf.setText(str(out))
        self.load_fields(preselect=False)
        self.p12.clear()  # the next box is another person's: their own certificate, not this one
        self.delegation.clear()
        self._say(tr("Campo «{field}» firmato da {name}: {path}").format(field=field, name=name, path=out), OK_COLOUR)

    def _cancelled(self) -> None:
        """Annulla may come while the token is already signing: the list shows what the PDF now holds."""
        self.job = None
        self.load_fields()
        self._say(tr("Firma interrotta: l'elenco dei campi mostra lo stato attuale del PDF."), ERROR_COLOUR)

    def _failed(self, message: str) -> None:
        self.job = None
        self._update_button()
        self._say(message, ERROR_COLOUR)

    def _say(self, text: str, colour: str) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {colour};" if colour else "")
