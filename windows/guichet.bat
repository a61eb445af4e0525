@echo off
rem Ouvre le guichet AESH dans le navigateur par defaut (http://127.0.0.1:8000).
rem Laissez cette fenetre ouverte pendant le travail ; fermez-la pour arreter le guichet.
cd /d "%~dp0.."
.venv\Scripts\aesh-generator.exe serve --open
if errorlevel 1 pause
