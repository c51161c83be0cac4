; Inno Setup script for the one-folder build in dist\valutazione (see README.md beside this file).
; Compile with:  iscc /DAppVersion=0.1.0 installer\windows\valutazione.iss

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

[Setup]
AppId={{6E0C5B0B-2F38-4C8E-9E0B-5A1F2C7D9A11}
AppName=Valutazione
AppVersion={#AppVersion}
AppPublisher=valutazione
DefaultDirName={autopf}\Valutazione
DefaultGroupName=Valutazione
UninstallDisplayIcon={app}\valutazione-gui.exe
OutputDir=..\..\dist
OutputBaseFilename=valutazione-{#AppVersion}-setup
SetupIconFile=..\..\resources\icons\valutazione.ico
Compression=lzma2
SolidCompression=yes
ArchitecturesInstallIn64BitMode=x64compatible
ChangesAssociations=yes
PrivilegesRequiredOverridesAllowed=dialog

[Languages]
Name: "italian"; MessagesFile: "compiler:Languages\Italian.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "..\..\dist\valutazione\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\Valutazione"; Filename: "{app}\valutazione-gui.exe"
Name: "{group}\Disinstalla Valutazione"; Filename: "{uninstallexe}"
Name: "{autodesktop}\Valutazione"; Filename: "{app}\valutazione-gui.exe"; Tasks: desktopicon

[Registry]
; File association: .valutazione (a committee's file) and .valpkg (a member's offline package).
Root: HKA; Subkey: "Software\Classes\.valutazione"; ValueType: string; ValueName: ""; ValueData: "Valutazione.File"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\Valutazione.File"; ValueType: string; ValueName: ""; ValueData: "File di valutazione"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\Valutazione.File\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\valutazione-gui.exe,0"
Root: HKA; Subkey: "Software\Classes\Valutazione.File\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\valutazione-gui.exe"" ""%1"""
Root: HKA; Subkey: "Software\Classes\.valpkg"; ValueType: string; ValueName: ""; ValueData: "Valutazione.Pacchetto"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\Valutazione.Pacchetto"; ValueType: string; ValueName: ""; ValueData: "Pacchetto di valutazione"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\Valutazione.Pacchetto\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\valutazione-gui.exe,0"
Root: HKA; Subkey: "Software\Classes\Valutazione.Pacchetto\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\valutazione-gui.exe"" ""%1"""

[Run]
Filename: "{app}\valutazione-gui.exe"; Description: "{cm:LaunchProgram,Valutazione}"; Flags: nowait postinstall skipifsilent
