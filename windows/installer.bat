@echo off
chcp 65001 >nul
rem Installation, once: double-click it in the extracted folder (or a checkout).
rem Creates the Python environment (.venv), installs the generator (from the
rem wheelhouse folder beside it when there, so school PCs need no Internet, else
rem from PyPI) and puts a "Guichet AESH" shortcut on the Desktop.
rem
rem Encoding: this file is UTF-8 without BOM (a BOM would break the first line).
rem cmd reads a batch file line by line in the console's code page, so every
rem line before "chcp 65001" is ASCII and the French messages (accents) come
rem after it. Paths are always quoted and reach PowerShell through environment
rem variables, never spliced into its command: a folder such as
rem "Outils d'accueil" (an apostrophe) or one with "&" or "(" stays whole.
setlocal EnableExtensions DisableDelayedExpansion
set "PYTHONUTF8=1"
for %%d in ("%~dp0..") do set "TOP=%%~fd"

rem Run from inside a ZIP, Explorer extracts this file alone to a temporary
rem folder (...\AppData\Local\Temp\Temp1_name.zip\...): nothing else is there.
set "HERE=%~dp0"
if not "%HERE:\AppData\Local\Temp\=%"=="%HERE%" if not "%HERE:.zip=%"=="%HERE%" goto :from_zip

rem pushd, not cd: it also works from a network share (\\server\...).
pushd "%TOP%" || goto :echec

rem python.org installs "py"; the Python install manager "py" and "python";
rem the Microsoft Store only "python" and "python3" (no "py"). The first that
rem is Python 3.11 or newer is kept.
set "PYCMD="
call :try_python py -3
if not defined PYCMD call :try_python python
if not defined PYCMD call :try_python python3
if not defined PYCMD call :try_python py
if not defined PYCMD goto :no_python
echo Python trouvé : %PYCMD%

if exist ".venv\Scripts\python.exe" goto :install
echo Création de l'environnement Python (.venv)…
%PYCMD% -m venv "%TOP%\.venv" || goto :echec

:install
set "VENVPY=%TOP%\.venv\Scripts\python.exe"
if exist "%TOP%\wheelhouse\" goto :offline
if not exist "%TOP%\pyproject.toml" goto :no_source
echo Installation depuis Internet (PyPI)…
"%VENVPY%" -m pip install --quiet --upgrade pip || goto :echec
"%VENVPY%" -m pip install --quiet "%TOP%" || goto :echec
goto :shortcut

:offline
echo Installation sans Internet, depuis le dossier wheelhouse…
"%VENVPY%" -m pip install --quiet --no-index --find-links "%TOP%\wheelhouse" aesh-generator || goto :echec

:shortcut
set "AESH_SHORTCUT_TARGET=%TOP%\windows\guichet.bat"
set "AESH_SHORTCUT_FOLDER=%TOP%"
powershell -NoProfile -ExecutionPolicy Bypass -Command "$s = (New-Object -ComObject WScript.Shell).CreateShortcut([IO.Path]::Combine([Environment]::GetFolderPath('Desktop'), 'Guichet AESH.lnk')); $s.TargetPath = $env:AESH_SHORTCUT_TARGET; $s.WorkingDirectory = $env:AESH_SHORTCUT_FOLDER; $s.Description = 'Ouvre le guichet AESH dans le navigateur'; $s.Save()" || goto :echec
echo.
echo Installation terminée : le raccourci « Guichet AESH » est sur le Bureau.
popd
pause
exit /b 0

:try_python
rem The Store's alias, when Python is absent, prints nothing on stdout and
rem exits non-zero (9009): asking Python itself for its version rejects it.
%* -c "import sys; sys.exit(sys.version_info < (3, 11))" >nul 2>nul || exit /b 0
set "PYCMD=%*"
exit /b 0

:from_zip
echo Ce programme est lancé depuis l'intérieur du fichier ZIP, où il ne peut rien installer.
echo Faites un clic droit sur le fichier ZIP, choisissez « Extraire tout… », puis
echo lancez installer.bat depuis le dossier extrait (dans le sous-dossier windows).
pause
exit /b 1

:no_python
echo Python 3.11 ou plus récent est nécessaire et n'a pas été trouvé.
echo Installez-le depuis le Microsoft Store (« Python 3.13 ») ou python.org, puis relancez installer.bat.
pause
exit /b 1

:no_source
echo Ni dossier wheelhouse ni projet (pyproject.toml) dans "%TOP%" : rien à installer.
echo Extrayez tout le fichier ZIP, puis relancez installer.bat depuis le sous-dossier windows.
pause
exit /b 1

:echec
echo.
echo L'installation a échoué : le message ci-dessus dit pourquoi.
pause
exit /b 1
