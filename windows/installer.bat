@echo off
rem Installation, une seule fois : a lancer par double-clic depuis le dossier du projet.
rem Cree l'environnement Python (.venv), installe le generateur et pose sur le
rem Bureau un raccourci "Guichet AESH" qui ouvre le guichet dans le navigateur.
setlocal
cd /d "%~dp0.."
where py >nul 2>nul
if errorlevel 1 (
  echo Python 3.11 ou plus recent est necessaire : installez-le depuis le Microsoft Store ou python.org, puis relancez.
  pause
  exit /b 1
)
if not exist .venv\Scripts\python.exe (
  py -3 -m venv .venv || goto :echec
)
.venv\Scripts\python -m pip install --quiet --upgrade pip || goto :echec
.venv\Scripts\python -m pip install --quiet . || goto :echec
powershell -NoProfile -ExecutionPolicy Bypass -Command ^
  "$s = (New-Object -ComObject WScript.Shell).CreateShortcut([Environment]::GetFolderPath('Desktop') + '\Guichet AESH.lnk');" ^
  "$s.TargetPath = '%CD%\windows\guichet.bat'; $s.WorkingDirectory = '%CD%';" ^
  "$s.Description = 'Ouvre le guichet AESH dans le navigateur'; $s.Save()" || goto :echec
echo Installation terminee : le raccourci "Guichet AESH" est sur le Bureau.
pause
exit /b 0
:echec
echo L'installation a echoue : le message ci-dessus dit pourquoi.
pause
exit /b 1
