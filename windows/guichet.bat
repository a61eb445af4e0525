@echo off
chcp 65001 >nul
rem Opens the AESH desk in the default browser (http://127.0.0.1:8000).
rem Keep this window open while working; closing it stops the desk. A second
rem double-click, while the desk runs, opens the browser on it (serve --open
rem finds our desk on its port) instead of failing on a port already in use.
rem UTF-8 without BOM: every line before chcp is ASCII (see installer.bat).
setlocal EnableExtensions DisableDelayedExpansion
for %%d in ("%~dp0..") do set "TOP=%%~fd"
set "AESH=%TOP%\.venv\Scripts\aesh-generator.exe"
if not exist "%AESH%" goto :not_installed
"%AESH%" serve --open
if errorlevel 1 pause
exit /b

:not_installed
echo Le guichet n'est pas encore installé : lancez d'abord installer.bat (dossier windows).
pause
exit /b 1
