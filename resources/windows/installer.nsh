; NSIS include (electron-builder nsis.include). Issue #15: the command line on Windows.
; Writes $INSTDIR\bin\yinjian.cmd, which starts the app with its `cli` argument (no window);
; on request adds $INSTDIR\bin to the user's PATH (a question in the installer; /ADDTOPATH
; for silent installs). The folder is separate because $INSTDIR\yinjian.exe would win over
; yinjian.cmd on PATH (PATHEXT lists .EXE first) and open the window.
!include "FileFunc.nsh"
!include "WordFunc.nsh"

!macro customInstall
  CreateDirectory "$INSTDIR\bin"
  FileOpen $0 "$INSTDIR\bin\yinjian.cmd" w
  FileWrite $0 "@echo off$\r$\n"
  FileWrite $0 "rem 印鉴 Yinjian command line: yinjian --help$\r$\n"
  FileWrite $0 '"%~dp0..\${APP_EXECUTABLE_FILENAME}" cli %*$\r$\n'
  FileWrite $0 "exit /b %ERRORLEVEL%$\r$\n"
  FileClose $0

  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/ADDTOPATH" $R1
  IfErrors 0 yinjian_add_path
  IfSilent yinjian_path_done
  MessageBox MB_YESNO|MB_ICONQUESTION "把 yinjian 命令加入 PATH，以便在命令提示符中使用？$\r$\nAdd the yinjian command to PATH, for use in a command prompt?" /SD IDNO IDNO yinjian_path_done
  yinjian_add_path:
    ReadRegStr $R2 HKCU "Environment" "Path"
    ${WordFind} "$R2" "$INSTDIR\bin" "E+1{" $R3
    IfErrors 0 yinjian_path_done
    StrCmp $R2 "" 0 +3
      WriteRegExpandStr HKCU "Environment" "Path" "$INSTDIR\bin"
      Goto +2
    WriteRegExpandStr HKCU "Environment" "Path" "$R2;$INSTDIR\bin"
    SendMessage ${HWND_BROADCAST} ${WM_SETTINGCHANGE} 0 "STR:Environment" /TIMEOUT=5000
  yinjian_path_done:
!macroend

!macro customUnInstall
  ReadRegStr $R2 HKCU "Environment" "Path"
  ${un.WordReplace} "$R2" ";$INSTDIR\bin" "" "+" $R3
  ${un.WordReplace} "$R3" "$INSTDIR\bin" "" "+" $R3
  StrCmp $R2 $R3 +3
    WriteRegExpandStr HKCU "Environment" "Path" "$R3"
    SendMessage ${HWND_BROADCAST} ${WM_SETTINGCHANGE} 0 "STR:Environment" /TIMEOUT=5000
  Delete "$INSTDIR\bin\yinjian.cmd"
  RMDir "$INSTDIR\bin"
!macroend
