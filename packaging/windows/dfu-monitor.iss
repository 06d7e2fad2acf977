; Inno Setup script: a Windows installer for the one-folder bundle (not tested on this project's
; Linux machines; see README "Installing"). On Windows, after `pyinstaller packaging\dfu-monitor.spec`:
;   iscc /DAppVersion=0.1.0 packaging\windows\dfu-monitor.iss
; gives dist\dfu-monitor-0.1.0-setup.exe. The clinic database is not in the program folder: it
; lives in the user's data folder (%LOCALAPPDATA%\dfu-monitor), so an upgrade or an uninstall
; leaves it in place.
#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

[Setup]
AppId={{6C0F3B1E-4D2A-4C8E-9E57-DF0A11C0FEE1}
AppName=DFU Monitor
AppVersion={#AppVersion}
AppPublisher=DFU Monitor
DefaultDirName={autopf}\DFU Monitor
DefaultGroupName=DFU Monitor
DisableProgramGroupPage=yes
OutputDir=..\..\dist
OutputBaseFilename=dfu-monitor-{#AppVersion}-setup
SetupIconFile=..\dfu-monitor.ico
UninstallDisplayIcon={app}\dfu-monitor.exe
Compression=lzma2/max
SolidCompression=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
PrivilegesRequiredOverridesAllowed=dialog

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[Files]
Source: "..\..\dist\dfu-monitor\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\DFU Monitor"; Filename: "{app}\dfu-monitor.exe"
Name: "{autodesktop}\DFU Monitor"; Filename: "{app}\dfu-monitor.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\dfu-monitor.exe"; Description: "{cm:LaunchProgram,DFU Monitor}"; Flags: nowait postinstall skipifsilent
