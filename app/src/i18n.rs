//! The translation catalogue: every word a person reads in Hearth.
//!
//! Each message is a variant of `Msg`, and each language is a column of the
//! `catalogue!` table below. A language that lacks a message does not
//! compile, so a missing string is caught before anyone can see it.
//! Placeholders are written `{name}` and filled by `Msg::fill`.

use hearth_core::locale::Locale;
use leptos::prelude::*;

macro_rules! catalogue {
    ($($key:ident { en: $en:literal, es: $es:literal })*) => {
        /// A message in the catalogue.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Msg { $($key),* }

        impl Msg {
            /// Every message, for tests that check the catalogue.
            pub const ALL: &'static [Msg] = &[$(Msg::$key),*];

            /// The message in one language.
            pub fn text(self, locale: Locale) -> &'static str {
                match locale {
                    Locale::En => match self { $(Msg::$key => $en),* },
                    Locale::Es => match self { $(Msg::$key => $es),* },
                }
            }
        }
    };
}

catalogue! {
    AppName { en: "Hearth", es: "Hearth" }
    SkipToContent { en: "Skip to content", es: "Saltar al contenido" }

    LinkConnecting { en: "Connecting…", es: "Conectando…" }
    LinkReconnecting { en: "Reconnecting… your words are safe here and will be sent when we're back.", es: "Reconectando… tus palabras están a salvo aquí y se enviarán cuando volvamos." }

    ErrNotFound { en: "We couldn't find that gathering. Check the link, or ask the facilitator for a new one.", es: "No encontramos ese encuentro. Revisa el enlace o pide uno nuevo a quien facilita." }
    ErrEnded { en: "This gathering has ended. Thank you for being part of it.", es: "Este encuentro ha terminado. Gracias por formar parte de él." }
    ErrLocked { en: "Joining is closed for now. If you'd like to come in, let the facilitator know.", es: "Por ahora no se puede entrar. Si quieres unirte, avísale a quien facilita." }
    ErrUnavailable { en: "Something went wrong on our side. Please try again in a moment.", es: "Algo falló por nuestra parte. Vuelve a intentarlo en un momento." }
    BackHome { en: "Back to the start", es: "Volver al inicio" }

    HomeTitle { en: "Join a gathering", es: "Únete a un encuentro" }
    HomeIntro { en: "No name, no account. What you write is anonymous.", es: "Sin nombre, sin cuenta. Lo que escribas es anónimo." }
    HomeCodeLabel { en: "Join code", es: "Código para unirte" }
    HomeCodeHint { en: "The 6 letters and numbers on the shared screen.", es: "Las 6 letras y números que ves en la pantalla compartida." }
    HomeJoin { en: "Join", es: "Entrar" }
    HomeFacilitate { en: "Facilitating? Start a gathering", es: "¿Vas a facilitar? Inicia un encuentro" }
    JoinErrUnknown { en: "We couldn't find a gathering with that code. Check it and try again.", es: "No encontramos ningún encuentro con ese código. Revísalo y vuelve a intentarlo." }
    JoinErrFormat { en: "A join code has 6 letters and numbers, like K7M2QX. Check it and try again.", es: "Un código tiene 6 letras y números, como K7M2QX. Revísalo y vuelve a intentarlo." }
    JoinErrLookAlike { en: "Join codes never use 0, O, 1, I or L, so they can't be mixed up. Check the code on the shared screen and try again.", es: "Los códigos nunca usan 0, O, 1, I ni L, para que no se confundan. Revisa el código en la pantalla compartida y vuelve a intentarlo." }
    JoinErrClosed { en: "That gathering isn't open for joining right now. Ask the facilitator.", es: "Ese encuentro no está abierto a nuevas personas ahora mismo. Pregunta a quien facilita." }
    JoinErrBusy { en: "Joining by code is paused for a moment. Scan the QR code on the screen, or ask the facilitator for the link.", es: "Entrar con el código está en pausa por un momento. Escanea el código QR de la pantalla o pide el enlace a quien facilita." }

    StartTitle { en: "Start a gathering", es: "Iniciar un encuentro" }
    StartIntro { en: "You'll get a private console link for you, a screen link for the projector, and a join code for the room.", es: "Recibirás un enlace privado a la consola para ti, un enlace de pantalla para el proyector y un código para que la sala se una." }
    StartNameLabel { en: "Name of the gathering", es: "Nombre del encuentro" }
    StartNameDefault { en: "Our gathering", es: "Nuestro encuentro" }
    StartAgendaLabel { en: "Begin with", es: "Empezar con" }
    StartTemplateSteps { en: "{n} step|{n} steps", es: "{n} paso|{n} pasos" }
    StartSubmit { en: "Start gathering", es: "Iniciar el encuentro" }
    StartErrMissing { en: "Please give the gathering a name.", es: "Ponle un nombre al encuentro, por favor." }
    StartErrTooLong { en: "That's a little long. A name has at most 120 characters.", es: "Es un poco largo. Un nombre tiene como máximo 120 caracteres." }
    StartImportTitle { en: "Or start from an export", es: "O empieza desde una exportación" }
    StartImportFile { en: "A gathering exported from Hearth (the JSON file)", es: "Un encuentro exportado desde Hearth (el archivo JSON)" }
    StartImportName { en: "Name (leave empty to keep the export's)", es: "Nombre (déjalo vacío para mantener el de la exportación)" }
    StartImportCards { en: "Bring its cards too, already revealed", es: "Traer también sus tarjetas, ya reveladas" }
    StartImportSubmit { en: "Start from this file", es: "Empezar desde este archivo" }
    StartErrImportForeign { en: "That file isn't a gathering exported from Hearth. Nothing was created.", es: "Ese archivo no es un encuentro exportado desde Hearth. No se ha creado nada." }
    StartErrImportVersion { en: "That export comes from a newer Hearth than this one. Nothing was created.", es: "Esa exportación viene de una versión de Hearth más nueva que esta. No se ha creado nada." }
    StartErrImportInvalid { en: "Part of that export can't be used here, so nothing was created.", es: "Una parte de esa exportación no se puede usar aquí, así que no se ha creado nada." }
    StartErrAgenda { en: "We couldn't find that agenda. Please choose another one.", es: "No encontramos ese programa. Elige otro, por favor." }

    ConsoleTitle { en: "Facilitator console", es: "Consola de facilitación" }
    ConsoleKeepPrivate { en: "This page's address is your key to the console. Keep it private; bookmark it to come back.", es: "La dirección de esta página es tu llave de la consola. Guárdala en privado; añádela a marcadores para volver." }
    ConsoleLinks { en: "Links", es: "Enlaces" }
    ConsoleScreenLink { en: "Screen link, for the projector or a shared screen", es: "Enlace de pantalla, para el proyector o una pantalla compartida" }
    ConsoleParticipantLink { en: "Link for participants", es: "Enlace para participantes" }
    ConsoleOpenScreen { en: "Open the shared screen", es: "Abrir la pantalla compartida" }
    ConsoleJoinCode { en: "Join code", es: "Código para unirse" }
    ConsoleReveal { en: "Reveal reflections", es: "Revelar las reflexiones" }
    ConsoleNothingWaiting { en: "No reflections waiting on this step.", es: "No hay reflexiones esperando en este paso." }
    ConsoleSomeWaiting { en: "Some reflections are waiting on this step.", es: "Hay reflexiones esperando en este paso." }
    ConsoleWaiting { en: "{n} reflection is waiting on this step.|{n} reflections are waiting on this step.", es: "{n} reflexión espera en este paso.|{n} reflexiones esperan en este paso." }
    ConsoleSmallRoom { en: "Fewer than 5 people here, so no counts are shown.", es: "Hay menos de 5 personas, así que no se muestran recuentos." }
    ConsolePeople { en: "{n} people have joined.", es: "Se han unido {n} personas." }
    ConsoleCollecting { en: "Participants can add to this step.", es: "Quienes participan pueden aportar en este paso." }
    ConsolePaused { en: "Adding is paused.", es: "Las aportaciones están en pausa." }
    ConsolePause { en: "Pause adding", es: "Pausar las aportaciones" }
    ConsoleResume { en: "Open for adding", es: "Abrir a aportaciones" }
    ConsoleJoiningOpen { en: "Joining is open.", es: "La entrada está abierta." }
    ConsoleJoiningLocked { en: "Joining is locked.", es: "La entrada está cerrada." }
    ConsoleLock { en: "Lock joining", es: "Cerrar la entrada" }
    ConsoleUnlock { en: "Unlock joining", es: "Abrir la entrada" }
    ConsoleLive { en: "Reveal by itself", es: "Revelar automáticamente" }
    ConsoleLiveOn { en: "Live: cards appear by themselves, shuffled, once at least 3 different people have written.", es: "En vivo: las tarjetas aparecen solas, mezcladas, cuando al menos 3 personas distintas han escrito." }
    ConsoleHeldBack { en: "Some cards are held back until 3 different people have written, so nobody stands out. Reveal shows them now.", es: "Algunas tarjetas esperan hasta que escriban 3 personas distintas, para que nadie destaque. Revelar las muestra ahora." }
    ConsoleLiveOff { en: "Cards appear when you reveal them.", es: "Las tarjetas aparecen cuando tú las revelas." }
    ConsoleStepOf { en: "Step {n} of {total}", es: "Paso {n} de {total}" }
    ConsolePrev { en: "Previous step", es: "Paso anterior" }
    ConsoleNext { en: "Next step", es: "Paso siguiente" }
    ConsoleLinesShown { en: "{n} of {total} lines shown", es: "Se muestran {n} de {total} líneas" }
    ConsoleShowNextLine { en: "Show the next line", es: "Mostrar la siguiente línea" }
    ConsoleShowAllLines { en: "Show all lines", es: "Mostrar todas las líneas" }
    ConsoleHideLastLine { en: "Hide the last line", es: "Ocultar la última línea" }
    ConsoleNote { en: "Facilitator note", es: "Nota para quien facilita" }
    ConsoleTimer { en: "Timer", es: "Temporizador" }
    ConsoleTimerMinutes { en: "Minutes", es: "Minutos" }
    ConsoleTimerStart { en: "Start the timer", es: "Iniciar el temporizador" }
    ConsoleTimerPause { en: "Pause", es: "Pausar" }
    ConsoleTimerResume { en: "Resume", es: "Reanudar" }
    ConsoleTimerAddMinute { en: "Add a minute", es: "Añadir un minuto" }
    ConsoleTimerClear { en: "Clear", es: "Borrar" }
    ConsoleModeration { en: "Cards on this step", es: "Tarjetas de este paso" }
    ConsoleModerationHint { en: "Hide a card to take it off the screen and the phones; blur it to cover its words on the screen. Nobody, you included, can see who wrote a card.", es: "Oculta una tarjeta para quitarla de la pantalla y de los teléfonos; difumínala para tapar sus palabras en la pantalla. Nadie, ni siquiera tú, puede ver quién escribió una tarjeta." }
    ConsoleHiddenMark { en: "Hidden from the room", es: "Oculta para la sala" }
    ConsoleBlurredMark { en: "Blurred on the screen", es: "Difuminada en la pantalla" }
    ConsoleHide { en: "Hide", es: "Ocultar" }
    ConsoleUnhide { en: "Show again", es: "Mostrar de nuevo" }
    ConsoleBlur { en: "Blur", es: "Difuminar" }
    ConsoleUnblur { en: "Unblur", es: "Quitar el difuminado" }
    ConsoleEnd { en: "End the gathering", es: "Terminar el encuentro" }
    ConsoleEndConfirm { en: "End now? Joining and adding close for everyone.", es: "¿Terminar ahora? La entrada y las aportaciones se cierran para todo el mundo." }
    ConsoleEndYes { en: "Yes, end it", es: "Sí, terminarlo" }
    ConsoleCancel { en: "Cancel", es: "Cancelar" }
    ConsoleEnded { en: "This gathering has ended. What the group made stays here to read.", es: "Este encuentro ha terminado. Lo que creó el grupo sigue aquí para leerlo." }
    ConsoleMore { en: "More of the console", es: "Más de la consola" }
    ConsolePresenter { en: "Presenter view", es: "Vista de presentación" }
    ConsolePresenterOff { en: "Whole console", es: "Consola completa" }
    ConsoleSettings { en: "Screen and links", es: "Pantalla y enlaces" }
    ConsoleArrangeMap { en: "Arrange the map", es: "Ordenar el mapa" }
    ConsoleFirstTitle { en: "To begin:", es: "Para empezar:" }
    ConsoleFirstScreen { en: "Open the shared screen on the projector, or share it in your call.", es: "Abre la pantalla compartida en el proyector, o compártela en tu llamada." }
    ConsoleFirstJoin { en: "Let people join: the code and the QR code are on the screen. No names, no accounts.", es: "Deja que la gente entre: el código y el código QR están en la pantalla. Sin nombres ni cuentas." }
    ConsoleFirstBegin { en: "Begin: invite everyone to write, then press Reveal. Next step moves the room on.", es: "Empieza: invita a escribir y luego pulsa Revelar. Paso siguiente lleva a la sala adelante." }
    ConsoleRoomSees { en: "What the room sees", es: "Lo que ve la sala" }
    ConsoleCoFacilitatorLink { en: "Co-facilitator link (the same powers as yours)", es: "Enlace para cofacilitar (con los mismos permisos que el tuyo)" }
    ConsoleAgenda { en: "Agenda", es: "Programa" }
    ConsoleNow { en: "Now", es: "Ahora" }
    ConsoleGoTo { en: "Go to this step", es: "Ir a este paso" }
    ConsoleEdit { en: "Edit", es: "Editar" }
    ConsoleMoveUp { en: "Move up", es: "Subir" }
    ConsoleMoveDown { en: "Move down", es: "Bajar" }
    ConsoleRemove { en: "Remove", es: "Quitar" }
    ConsoleAddFromLibrary { en: "Add a step from the library", es: "Añadir un paso de la biblioteca" }
    ConsoleAdd { en: "Add", es: "Añadir" }
    ConsoleTemplateName { en: "Keep this agenda as a template, named", es: "Guardar este programa como plantilla, con el nombre" }
    ConsoleTemplate { en: "Save template", es: "Guardar plantilla" }
    ConsoleTemplateSaved { en: "Saved. It's on the start page for your next gathering.", es: "Guardada. La tienes en la página de inicio para tu próximo encuentro." }
    ConsoleEditStep { en: "Edit step", es: "Editar el paso" }
    ConsolePromptField { en: "Prompt", es: "Pregunta" }
    ConsoleColumnsField { en: "Columns, one per line (leave empty for none)", es: "Columnas, una por línea (déjalo vacío si no quieres ninguna)" }
    ConsoleLeftPole { en: "Left end", es: "Extremo izquierdo" }
    ConsoleRightPole { en: "Right end", es: "Extremo derecho" }
    ConsoleLinesField { en: "Dialogue, one line each, written as Speaker: words", es: "Diálogo, una intervención por línea, escrita como Nombre: palabras" }
    ConsoleBudgetField { en: "Dots per person (1 to 10)", es: "Puntos por persona (de 1 a 10)" }
    ConsoleOfferField { en: "Offer side", es: "Lado de ofrecer" }
    ConsoleLearnField { en: "Learn side", es: "Lado de aprender" }
    ConsoleSave { en: "Save", es: "Guardar" }
    ConsoleSaved { en: "Saved.", es: "Guardado." }
    ConsoleExport { en: "Export", es: "Exportar" }
    ConsoleExportHint { en: "What the group has made so far, to keep or share. Nothing in it says who wrote what; hidden cards stay out unless you include them.", es: "Lo que el grupo ha creado hasta ahora, para guardarlo o compartirlo. Nada en ello dice quién escribió qué; las tarjetas ocultas quedan fuera, salvo que las incluyas." }
    ExportSomeWaiting { en: "Some reflections on this step were still waiting to be revealed; they are not in this file.", es: "Algunas reflexiones de este paso aún esperaban a ser reveladas; no están en este archivo." }
    ExportWaiting { en: "{n} reflection on this step was still waiting to be revealed; it is not in this file.|{n} reflections on this step were still waiting to be revealed; they are not in this file.", es: "{n} reflexión de este paso aún esperaba a ser revelada; no está en este archivo.|{n} reflexiones de este paso aún esperaban a ser reveladas; no están en este archivo." }
    ConsoleExportMarkdown { en: "Summary (Markdown)", es: "Resumen (Markdown)" }
    ConsoleExportCsv { en: "Cards (CSV, for a spreadsheet)", es: "Tarjetas (CSV, para una hoja de cálculo)" }
    ConsoleExportJson { en: "The whole gathering (JSON)", es: "El encuentro completo (JSON)" }
    ConsoleExportWithHidden { en: "with hidden cards", es: "con las tarjetas ocultas" }
    ConsoleHarvest { en: "Harvest: a printable summary, one page per step", es: "Cosecha: un resumen para imprimir, una página por paso" }
    HarvestTitle { en: "Harvest", es: "Cosecha" }
    HarvestHint { en: "Print this page (or save it as a PDF) to keep what the group made. Nothing in it says who wrote what.", es: "Imprime esta página (o guárdala como PDF) para conservar lo que creó el grupo. Nada en ella dice quién escribió qué." }
    HarvestStep { en: "Step {n}", es: "Paso {n}" }
    HarvestMapKey { en: "The cards on the map, by their numbers", es: "Las tarjetas del mapa, por su número" }
    HarvestSummary { en: "What the group made", es: "Lo que creó el grupo" }
    HarvestCards { en: "{n} card|{n} cards", es: "{n} tarjeta|{n} tarjetas" }
    ConsoleDeleteTitle { en: "Delete this gathering", es: "Eliminar este encuentro" }
    ConsoleDeleteHint { en: "Deletes everything in it now: the agenda, every card and every total, for everyone. It can't be undone. Otherwise it is deleted by itself after the time this Hearth keeps gatherings.", es: "Elimina ahora todo lo que contiene: el programa, cada tarjeta y cada total, para todo el mundo. No se puede deshacer. Si no, se eliminará solo cuando pase el tiempo que este Hearth conserva los encuentros." }
    ConsoleDeleteConfirm { en: "I understand: delete everything now", es: "Lo entiendo: eliminar todo ahora" }
    ConsoleDelete { en: "Delete now", es: "Eliminar ahora" }

    BoardTitle { en: "The board", es: "El tablero" }
    BoardEmpty { en: "Nothing revealed yet.", es: "Todavía no se ha revelado nada." }

    ScreenContentNote { en: "Content note", es: "Aviso de contenido" }
    ScreenAwayFrom { en: "Moving away from:", es: "Alejarse de:" }
    ScreenDots { en: "{n} dot|{n} dots", es: "{n} punto|{n} puntos" }
    ScreenResonates { en: "Resonates with {n}|Resonates with {n}", es: "Resuena con {n} persona|Resuena con {n} personas" }
    ScreenReframes { en: "Reframes", es: "Reencuadres" }
    ScreenSpread { en: "Where the room stands", es: "Dónde se sitúa la sala" }
    ScreenReconnecting { en: "Reconnecting… the screen will catch up by itself. Nothing anyone wrote is lost.", es: "Reconectando… la pantalla se pondrá al día sola. No se pierde nada de lo que se ha escrito." }
    ScreenPlaced { en: "{n} person has placed themselves|{n} people have placed themselves", es: "{n} persona se ha situado|{n} personas se han situado" }
    ScreenWriters { en: "{n} person has written|{n} people have written", es: "{n} persona ha escrito|{n} personas han escrito" }
    ScreenSpreadWaiting { en: "The spread appears once a few people have placed themselves.", es: "La distribución aparecerá cuando algunas personas se hayan situado." }
    ScreenDialogue { en: "The dialogue", es: "El diálogo" }
    ScreenDialogueWaiting { en: "The dialogue will appear here, a line at a time.", es: "El diálogo aparecerá aquí, línea a línea." }
    ScreenNoTags { en: "No tags yet", es: "Aún no hay etiquetas" }
    TimerLabel { en: "Time left", es: "Tiempo restante" }
    TimerDone { en: "Time. Let's gently bring this to a close.", es: "Se acabó el tiempo. Vamos cerrando con calma." }
    TimerPaused { en: "paused", es: "en pausa" }
    ScreenJoinAt { en: "Join at", es: "Únete en" }
    ScreenCodeLabel { en: "Code", es: "Código" }
    ScreenQrAlt { en: "QR code that opens this gathering on a phone", es: "Código QR que abre este encuentro en un teléfono" }

    PartPromptLabel { en: "Now in the room", es: "Ahora en la sala" }
    PartYourReflection { en: "Your reflection", es: "Tu reflexión" }
    PartHint { en: "Anonymous. Up to 500 characters.", es: "Anónima. Hasta 500 caracteres." }
    PartCharsLeft { en: "{n} characters left", es: "Quedan {n} caracteres" }
    PartAdd { en: "Add reflection", es: "Añadir reflexión" }
    PartPass { en: "Pass", es: "Pasar" }
    PartPassed { en: "That's fine. Passing is always a choice. You can add a reflection any time.", es: "Está bien. Pasar siempre es una opción. Puedes añadir una reflexión cuando quieras." }
    PartSending { en: "Sending…", es: "Enviando…" }
    PartReceived { en: "Received. Thank you.", es: "Recibida. Gracias." }
    PartPaused { en: "This step is paused for now. You can read along.", es: "Este paso está en pausa por ahora. Puedes seguir leyendo." }
    PartMine { en: "Your reflections", es: "Tus reflexiones" }
    PartMineHint { en: "Only you can see this list.", es: "Solo tú puedes ver esta lista." }
    PartMineEmpty { en: "You haven't added any yet.", es: "Todavía no has añadido ninguna." }
    PartHeldBack { en: "Waiting: it appears once a few more people have written, so nobody stands out", es: "En espera: aparecerá cuando escriban algunas personas más, para que nadie destaque" }
    PartCut { en: "Only the first {max} characters fit, so the last {n} were left out. Shorten it if you like.", es: "Solo caben los primeros {max} caracteres, así que los últimos {n} se quedaron fuera. Acórtalo si quieres." }
    PartWaitingReveal { en: "Waiting to be revealed", es: "Esperando a ser revelada" }
    PartOnBoard { en: "On the board", es: "En el tablero" }
    PartWithdraw { en: "Withdraw", es: "Retirar" }
    PartWithdrawAsk { en: "Withdraw it? It will be gone from every view, exports included.", es: "¿La retiras? Desaparecerá de todas partes, también de lo que se exporte." }
    PartWithdrawYes { en: "Yes, withdraw it", es: "Sí, retirarla" }
    PartWithdrawn { en: "Withdrawn. It's gone from every view.", es: "Retirada. Ya no aparece en ningún sitio." }

    PartMarked { en: "Saved. The room sees only totals.", es: "Guardado. La sala solo ve los totales." }
    PartColumnLabel { en: "Where does it go?", es: "¿Dónde va?" }
    PartAway { en: "What I want to stop or avoid (optional)", es: "Lo que quiero dejar o evitar (opcional)" }
    PartToward { en: "What I want to move towards", es: "Hacia lo que quiero avanzar" }
    PartSensitive { en: "Content note: blur it on the shared screen until the facilitator shows it", es: "Aviso de contenido: que se difumine en la pantalla compartida hasta que quien facilita la muestre" }
    PartNotShown { en: "Not shown to the room", es: "No se muestra a la sala" }
    PartSpectrumLabel { en: "Where are you, between {left} and {right}?", es: "¿Dónde estás, entre {left} y {right}?" }
    PartSpectrumPlace { en: "Place me here", es: "Situarme aquí" }
    PartSpectrumTakeBack { en: "Take my place back", es: "Retirar mi lugar" }
    PartSpectrumPlaced { en: "You're placed. The room sees only the spread.", es: "Ya te has situado. La sala solo ve la distribución." }
    PartSpectrumPrivate { en: "Nobody sees your point, only the spread of the whole room.", es: "Nadie ve tu punto, solo la distribución de toda la sala." }
    PartTagLine { en: "Tag this line", es: "Etiquetar esta línea" }
    PartTagSave { en: "Save this tag", es: "Guardar esta etiqueta" }
    PartNoTag { en: "No tag", es: "Sin etiqueta" }
    PartDotsLeft { en: "You have {n} of {total} dots left.", es: "Te quedan {n} de {total} puntos." }
    PartYourDots { en: "Your dots", es: "Tus puntos" }
    PartRemoveDot { en: "Remove a dot", es: "Quitar un punto" }
    PartAddDot { en: "Add a dot", es: "Añadir un punto" }
    PartDotsHere { en: "{n} of yours", es: "Tuyos: {n}" }
    PartResonates { en: "This resonates", es: "Esto me resuena" }
    PartBlurred { en: "Covered on the shared screen for now. Tap to read.", es: "Cubierta en la pantalla compartida por ahora. Toca para leer." }
    PartAddThisReframe { en: "Add this reframe", es: "Añadir este reencuadre" }
    PartMapCards { en: "Stories to place on the map", es: "Historias para situar en el mapa" }
    PartAddReframe { en: "Add a reframe", es: "Añadir un reencuadre" }
    PartReframeLabel { en: "What happened? Your reframe", es: "¿Qué pasó? Tu reencuadre" }

    ReceivedTitle { en: "Your reflection was received", es: "Hemos recibido tu reflexión" }
    ReceivedBody { en: "It's stored safely and will appear when the facilitator reveals the board.", es: "Está guardada de forma segura y aparecerá cuando quien facilita revele el tablero." }
    ReceivedBack { en: "Back to the gathering", es: "Volver al encuentro" }

    KindBoard { en: "Board", es: "Tablero" }
    KindReframe { en: "Reframe: what happened?", es: "Reencuadre: ¿qué pasó?" }
    KindSpectrum { en: "Spectrum", es: "Espectro" }
    KindScenario { en: "Scenario", es: "Escenario" }
    KindMovingTowards { en: "Moving towards", es: "Avanzar hacia" }
    KindGiveReceive { en: "Give and receive", es: "Dar y recibir" }

    NoteBoard { en: "Connection. A board lets everyone speak at once, and nobody has to go first. Open by saying there are no right answers and that Pass is always fine. After the reveal, read a few cards aloud slowly. Close by naming what you notice together, never who said what.", es: "Conexión. Un tablero permite que todo el mundo hable a la vez, y nadie tiene que empezar. Abre diciendo que no hay respuestas correctas y que siempre se puede pasar. Después de revelar, lee en voz alta algunas tarjetas, despacio. Cierra nombrando lo que notan en grupo, nunca quién dijo qué." }
    NoteReframe { en: "Worldview. Many of us were handed words for our experience: a label, a diagnosis, a problem. Invite people to write one in the words they were given. After the reveal, invite reframes under a card: what happened, rather than what's wrong. Close by asking what shifted when the question changed.", es: "Visión del mundo. A muchas personas nos dieron palabras para nuestra experiencia: una etiqueta, un diagnóstico, un problema. Invita a escribir una con las palabras que les dieron. Después de revelar, invita a añadir reencuadres bajo una tarjeta: qué pasó, en lugar de qué está mal. Cierra preguntando qué cambió cuando cambió la pregunta." }
    NoteSpectrum { en: "A shift in motion: from helping to learning, from the individual to the relationship, from fear to hope. Everyone places themselves privately; the room sees only the spread. Open by saying every point on the line makes sense from somewhere. Close by wondering about the spread together, never about one point.", es: "Un cambio en movimiento: de ayudar a aprender, de lo individual a la relación, del miedo a la esperanza. Cada persona se sitúa en privado; la sala solo ve la distribución. Abre diciendo que cada punto de la línea tiene sentido desde algún lugar. Cierra preguntándose en grupo por la distribución, nunca por un punto." }
    NoteScenario { en: "Connection, and the ways it breaks. Show the dialogue a line at a time and let people tag where connection happens or a disconnect creeps in. Noticing a disconnect is part of the practice, not a failure: we all do these things. Close with: what might have kept the connection?", es: "Conexión, y las formas en que se rompe. Muestra el diálogo línea a línea y deja que la gente etiquete dónde hay conexión o dónde se cuela una desconexión. Notar una desconexión es parte de la práctica, no un fracaso: todas las personas hacemos estas cosas. Cierra con: ¿qué podría haber mantenido la conexión?" }
    NoteMovingTowards { en: "Moving towards. Fear asks what we must stop; hope asks what we want to create. Invite people to name something to move away from, then turn it into what they want instead. After the reveal, everyone places a few dots on the statements that speak to them. Close on what the room wants to build, not on a winner.", es: "Avanzar hacia. El miedo pregunta qué debemos detener; la esperanza pregunta qué queremos crear. Invita a nombrar algo de lo que alejarse y a convertirlo en lo que se quiere en su lugar. Después de revelar, cada persona pone algunos puntos en las frases que le dicen algo. Cierra con lo que la sala quiere construir, no con una frase ganadora." }
    NoteGiveReceive { en: "Mutuality. In a mutual relationship both people give and both receive, and both have something to learn. Invite an offer and a hope to learn as two separate cards, so neither is tied to a person. Close by noticing how much the room holds between you.", es: "Mutualidad. En una relación mutua, las dos personas dan y las dos reciben, y las dos tienen algo que aprender. Invita a escribir una oferta y un deseo de aprender en dos tarjetas separadas, para que ninguna quede ligada a una persona. Cierra notando todo lo que la sala reúne entre quienes están en ella." }

    PromptCheckIn { en: "What's bringing you here today?", es: "¿Qué te trae hoy aquí?" }
    PromptReframe { en: "A label or story about yourself, in the words you were given.", es: "Una etiqueta o una historia sobre ti, con las palabras que te dieron." }
    PromptSpectrum { en: "Right now, I feel closer to…", es: "Ahora mismo, me siento más cerca de…" }
    PromptHelpingLearning { en: "When someone I care about is struggling, my first move is closer to…", es: "Cuando alguien que me importa lo está pasando mal, lo primero que hago se acerca más a…" }
    PromptScenario { en: "Read along. Where does connection happen, and where does it break?", es: "Sigue la lectura. ¿Dónde hay conexión y dónde se rompe?" }
    PromptScenarioMeeting { en: "A conversation at a community meeting. Where does connection happen, and where does it break?", es: "Una conversación en una reunión comunitaria. ¿Dónde hay conexión y dónde se rompe?" }
    PromptMovingTowards { en: "Something I want to move away from, and what I want to move towards instead.", es: "Algo de lo que quiero alejarme, y aquello hacia lo que quiero avanzar en su lugar." }
    PromptGiveReceive { en: "Something I can offer, and something I hope to learn.", es: "Algo que puedo ofrecer y algo que espero aprender." }
    PromptLearningTogether { en: "What are we learning together?", es: "¿Qué estamos aprendiendo en grupo?" }
    PromptTonight { en: "What brings you here tonight?", es: "¿Qué te trae aquí esta noche?" }
    PromptCommunityHope { en: "When I think about our community right now, I feel closer to…", es: "Cuando pienso en nuestra comunidad ahora mismo, me siento más cerca de…" }
    PromptCommunityStory { en: "Something people often say about our neighbourhood.", es: "Algo que la gente suele decir de nuestro barrio." }
    PromptCommunityTowards { en: "What do we want to create together here?", es: "¿Qué queremos crear aquí en común?" }
    PromptCommunityGive { en: "What I can bring to our community, and what I hope to learn from others.", es: "Lo que puedo aportar a nuestra comunidad y lo que espero aprender de otras personas." }
    PromptTakingHome { en: "One thing I'm taking home tonight.", es: "Algo que me llevo a casa esta noche." }
    PoleFear { en: "Fear", es: "Miedo" }
    PoleHope { en: "Hope", es: "Esperanza" }
    PoleHelping { en: "Helping", es: "Ayudar" }
    PoleLearning { en: "Learning", es: "Aprender" }

    KindMap { en: "Worldview map", es: "Mapa de visiones del mundo" }
    NoteMap { en: "Worldview: how each of us came to know what we know. Invite one story per card about where a belief came from. After the reveal, everyone places the cards on their phones. Where a card is placed far apart, that is the conversation: ask what each place sees, never who is right. Close by naming what surprised the room.", es: "Visión del mundo: cómo llegamos a saber lo que sabemos. Invita a escribir una historia por tarjeta sobre de dónde viene una creencia. Después de revelar, cada persona coloca las tarjetas desde su móvil. Donde una tarjeta se coloca muy separada, ahí está la conversación: pregunta qué ve cada lugar, nunca quién tiene razón. Cierra nombrando lo que sorprendió a la sala." }
    PromptMap { en: "Something you believe about distress or getting help. Where did you learn it?", es: "Algo que crees sobre el malestar o sobre pedir ayuda. ¿Dónde lo aprendiste?" }
    PromptCommunityMap { en: "A story about our community that you grew up with. Where did it come from?", es: "Una historia sobre nuestra comunidad con la que creciste. ¿De dónde vino?" }
    AxisFamily { en: "Family", es: "Familia" }
    AxisSchoolWork { en: "School or work", es: "Escuela o trabajo" }
    AxisServices { en: "Services and systems", es: "Servicios y sistemas" }
    AxisCultureFaith { en: "Culture or faith", es: "Cultura o fe" }
    AxisMedia { en: "Media", es: "Medios" }
    AxisOwnExperience { en: "My own experience", es: "Mi propia experiencia" }
    AxisBetween { en: "In between", es: "En medio" }
    AxisLeaning { en: "Leaning to {end}", es: "Más bien {end}" }
    MapAcross { en: "Left to right", es: "De izquierda a derecha" }
    MapUp { en: "Bottom to top", es: "De abajo arriba" }
    MapNotPlaced { en: "{n} card not placed by 3 people yet|{n} cards not placed by 3 people yet", es: "{n} tarjeta aún sin colocar por 3 personas|{n} tarjetas aún sin colocar por 3 personas" }
    MapSplit { en: "People placed this far apart", es: "La gente colocó esta tarjeta en lugares muy distintos" }
    MapSplitLegend { en: "Dashed ring: the room sees this one differently.", es: "Anillo discontinuo: la sala lo ve de formas distintas." }
    MapTitle { en: "Worldview map: {prompt}", es: "Mapa de visiones del mundo: {prompt}" }
    PartMapHow { en: "Place each card where you think the story comes from. Only the group's picture is shown, never your own spot.", es: "Coloca cada tarjeta donde creas que nace la historia. Solo se muestra la imagen del grupo, nunca tu lugar." }
    PartMapPlace { en: "Place it", es: "Colocar" }
    PartMapMove { en: "Move it", es: "Moverla" }
    PartMapTakeBack { en: "Take my placement back", es: "Retirar mi colocación" }
    PartMapPlaced { en: "You placed this one.", es: "Ya colocaste esta." }
    PartMapTapHint { en: "Tap the map, or choose from the lists.", es: "Toca el mapa o elige en las listas." }
    ConsoleAxisAcross { en: "Across: categories one per line, or a scale's two ends", es: "A lo ancho: categorías, una por línea, o los dos extremos de una escala" }
    ConsoleAxisUp { en: "Up: categories one per line, or a scale's two ends (low first)", es: "A lo alto: categorías, una por línea, o los dos extremos de una escala (el bajo primero)" }
    ConsoleAxisIsScale { en: "A scale between two ends", es: "Una escala entre dos extremos" }
    ConsoleMapThemes { en: "Themes", es: "Temas" }
    ConsoleMapNewTheme { en: "Start a theme", es: "Crear un tema" }
    ConsoleMapThemeName { en: "Theme name", es: "Nombre del tema" }
    ConsoleMapRename { en: "Rename", es: "Renombrar" }
    ConsoleMapDissolve { en: "Dissolve", es: "Deshacer" }
    ConsoleMapNoTheme { en: "No theme", es: "Sin tema" }
    ConsoleMapLinkLabel { en: "What links them", es: "Qué los une" }
    ConsoleMapLink { en: "Link", es: "Unir" }
    ConsoleMapLinkFrom { en: "Link this theme", es: "Unir este tema" }
    ConsoleMapLinkTo { en: "with this theme", es: "con este tema" }
    ConsoleMapUnlink { en: "Remove link", es: "Quitar unión" }
    ConsoleMapZoom { en: "Zoom the screen here", es: "Acercar la pantalla aquí" }
    ConsoleMapWhole { en: "Show the whole map", es: "Mostrar el mapa entero" }
    ConsoleMapFocus { en: "Open on screen", es: "Abrir en pantalla" }
    ConsoleMapUnfocus { en: "Close on screen", es: "Cerrar en pantalla" }
    ConsoleMapUnpin { en: "Back to the group's place", es: "Volver al lugar del grupo" }
    ConsoleMapDragHint { en: "Drag a card to move it on the screen. The group's cloud stays where people put it.", es: "Arrastra una tarjeta para moverla en la pantalla. La nube del grupo se queda donde la gente la puso." }
    ConsoleExportMapSvg { en: "Map as SVG", es: "Mapa en SVG" }
    ConsoleExportMapPng { en: "Map as PNG", es: "Mapa en PNG" }
    ErrCodeOutsideMap { en: "That spot is outside the map. Choose from the lists and try again.", es: "Ese lugar está fuera del mapa. Elige en las listas y vuelve a intentarlo." }
    ErrCodeUnknownTheme { en: "That theme isn't there any more. It may have been dissolved.", es: "Ese tema ya no está. Puede que se haya deshecho." }
    ColumnOffer { en: "I can offer", es: "Puedo ofrecer" }
    ColumnLearn { en: "I hope to learn", es: "Espero aprender" }
    ColumnBring { en: "I can bring", es: "Puedo aportar" }
    ColumnLearnFromOthers { en: "I hope to learn from others", es: "Espero aprender de otras personas" }

    TagAgenda { en: "Pushing an agenda", es: "Imponer una agenda" }
    TagLecturing { en: "Lecturing", es: "Sermonear" }
    TagProbing { en: "Probing", es: "Indagar de más" }
    TagJoking { en: "Joking", es: "Bromear" }
    TagChangingSubject { en: "Changing the subject", es: "Cambiar de tema" }
    TagCautioning { en: "Cautioning", es: "Advertir" }
    TagConnection { en: "Connection", es: "Conexión" }

    SpeakerAlex { en: "Alex", es: "Alex" }
    SpeakerSam { en: "Sam", es: "Sam" }
    SpeakerRosa { en: "Rosa", es: "Rosa" }
    SpeakerDev { en: "Dev", es: "Dev" }
    HardWeek1 { en: "It's been a rough week. I nearly didn't come today.", es: "Ha sido una semana dura. Casi no vengo hoy." }
    HardWeek2 { en: "You should really try going to bed earlier. Sleep fixes most things.", es: "De verdad, deberías intentar acostarte más temprano. Dormir lo arregla casi todo." }
    HardWeek3 { en: "Maybe. It's more that everything felt heavy.", es: "Puede ser. Es más bien que todo se me hacía muy pesado." }
    HardWeek4 { en: "Heavy how? Is it your medication? Have you told your doctor?", es: "¿Pesado cómo? ¿Es por la medicación? ¿Se lo has contado a tu médico?" }
    HardWeek5 { en: "I'd rather not get into that.", es: "Prefiero no entrar en eso." }
    HardWeek6 { en: "Fair enough. I'm glad you came anyway. What made you decide to come?", es: "Está bien. Me alegro de que hayas venido igualmente. ¿Qué te hizo decidirte a venir?" }
    HardWeek7 { en: "Honestly? I wanted to be somewhere I didn't have to pretend.", es: "¿Sinceramente? Quería estar en un sitio donde no tuviera que fingir." }
    HardWeek8 { en: "I know that feeling. I've had weeks like that too. We don't have to fix anything right now.", es: "Conozco esa sensación. Yo también he tenido semanas así. No tenemos que arreglar nada ahora mismo." }
    Meeting1 { en: "The new housing plan scares me. People on my street are worried they'll have to leave.", es: "El nuevo plan de vivienda me da miedo. La gente de mi calle teme tener que irse." }
    Meeting2 { en: "Ha, at least you'd finally get a new kitchen!", es: "¡Ja, al menos por fin tendrías una cocina nueva!" }
    Meeting3 { en: "It's not really funny for us.", es: "Para quienes vivimos allí no tiene ninguna gracia." }
    Meeting4 { en: "Sorry. Anyway, has everyone seen the new bus timetable?", es: "Perdona. Bueno, ¿alguien ha visto el nuevo horario del autobús?" }
    Meeting5 { en: "I'd like to stay with the housing question.", es: "Me gustaría seguir con el tema de la vivienda." }
    Meeting6 { en: "Careful who you say that to. The council people are listening.", es: "Ten cuidado con a quién se lo dices. La gente del ayuntamiento está escuchando." }
    Meeting7 { en: "That's exactly why I'm saying it here.", es: "Justo por eso lo digo aquí." }
    Meeting8 { en: "You're right. Tell me what people on your street are saying. What matters most to them?", es: "Tienes razón. Cuéntame qué dice la gente de tu calle. ¿Qué es lo que más les importa?" }

    AgendaIntroduction { en: "Introduction to the four tasks (90 minutes)", es: "Introducción a las cuatro tareas (90 minutos)" }
    AgendaIntroductionAbout { en: "Connection, worldview, mutuality and moving towards, one exercise each, between a check-in and a closing round.", es: "Conexión, visión del mundo, mutualidad y avanzar hacia: un ejercicio para cada una, entre una ronda de apertura y una de cierre." }
    AgendaCommunity { en: "Community dialogue evening", es: "Noche de diálogo comunitario" }
    AgendaCommunityAbout { en: "For a hall of neighbours: where we stand, the stories told about us, and what we want to create together.", es: "Para el vecindario reunido en una sala: dónde nos situamos, las historias que se cuentan de nuestro barrio y lo que queremos crear en común." }
    AgendaBlank { en: "One board to build from", es: "Un tablero para empezar a construir" }
    AgendaBlankAbout { en: "A single check-in board. Add steps from the library in the console.", es: "Un único tablero de apertura. Añade pasos de la biblioteca desde la consola." }
    AgendaTemplate { en: "Saved template", es: "Plantilla guardada" }

    ErrCodeMalformed { en: "That didn't reach us properly. Please try again.", es: "Eso no nos llegó bien. Vuelve a intentarlo, por favor." }
    ErrCodeNotAllowed { en: "That isn't something this view can do.", es: "Eso no se puede hacer desde esta vista." }
    ErrCodeNotCollecting { en: "Reflections are paused right now, so this wasn't added.", es: "Las reflexiones están en pausa ahora mismo, así que esto no se ha añadido." }
    ErrCodeUnknownStep { en: "That step isn't part of this gathering.", es: "Ese paso no forma parte de este encuentro." }
    ErrCodeUnknownCard { en: "That reflection isn't there any more.", es: "Esa reflexión ya no está." }
    ErrCodeEmpty { en: "Write something first, or choose Pass.", es: "Escribe algo primero, o elige Pasar." }
    ErrCodeTooLong { en: "That's more than 500 characters. Could you shorten it a little?", es: "Tiene más de 500 caracteres. ¿Podrías acortarlo un poco?" }
    ErrCodeStepNotOpen { en: "The room has moved on to another step, so this wasn't added.", es: "La sala ya ha pasado a otro paso, así que esto no se ha añadido." }
    ErrCodeUnknownLine { en: "That line isn't part of the dialogue yet.", es: "Esa línea todavía no forma parte del diálogo." }
    ErrCodeWordsMissing { en: "Every prompt and label needs some words.", es: "Cada pregunta y cada etiqueta necesitan algunas palabras." }
    ErrCodeWordsTooLong { en: "That's a little long: a prompt or line has at most 300 characters, a label at most 60.", es: "Es un poco largo: una pregunta o una línea tiene como máximo 300 caracteres, y una etiqueta, 60." }
    ErrCodeBadSettings { en: "Those settings don't fit this exercise. Check the numbers and try again.", es: "Esos ajustes no encajan con este ejercicio. Revisa los números y vuelve a intentarlo." }
    ErrCodeNoReflections { en: "This step doesn't take written reflections.", es: "Este paso no recoge reflexiones escritas." }
    ErrCodeWrongPlace { en: "That doesn't fit this step. Choose where it goes and try again.", es: "Eso no encaja en este paso. Elige dónde va y vuelve a intentarlo." }
    ErrCodeOverBudget { en: "You've placed all your dots. Take one from another statement first.", es: "Ya has puesto todos tus puntos. Quita primero uno de otra frase." }
    ErrCodeStepInUse { en: "People have added to this step, so it can be reworded but not reshaped or removed.", es: "Ya hay aportaciones en este paso, así que puedes cambiar su texto, pero no su forma, ni quitarlo." }
    ErrCodeLastStep { en: "An agenda needs at least one step.", es: "Un programa necesita al menos un paso." }
    ErrCodeEnded { en: "This gathering has ended.", es: "Este encuentro ha terminado." }
    ErrCodeRateLimited { en: "That was a lot at once. Wait a moment, then try again.", es: "Ha sido mucho de golpe. Espera un momento y vuelve a intentarlo." }
    ErrCodeInternal { en: "Something went wrong on our side, and nothing was changed. Please try again.", es: "Algo falló por nuestra parte y no se ha cambiado nada. Vuelve a intentarlo, por favor." }

    StartPassphraseLabel { en: "Organiser passphrase", es: "Frase de acceso de la organización" }
    StartPassphraseHint { en: "Whoever runs Hearth for your organisation can give it to you.", es: "Te la puede dar quien gestiona Hearth en tu organización." }
    StartErrPassphrase { en: "That passphrase doesn't match. Check it and try again; nothing was started.", es: "Esa frase de acceso no coincide. Revísala y vuelve a intentarlo; no se ha iniciado nada." }
    StartErrPassphraseBusy { en: "Lots of tries just now. Wait a minute, then try again.", es: "Muchos intentos en poco tiempo. Espera un minuto y vuelve a intentarlo." }
    StartDeleted { en: "The gathering is deleted, with everything in it.", es: "El encuentro se ha eliminado, con todo lo que contenía." }
    StartTemplateDelete { en: "Delete", es: "Eliminar" }
    StartTemplateDeleteLabel { en: "Delete the template {name}", es: "Eliminar la plantilla {name}" }
    StartTemplateConfirmTitle { en: "Delete the template “{name}”?", es: "¿Eliminar la plantilla «{name}»?" }
    StartTemplateConfirmText { en: "Gatherings already started from it keep their agenda. This can't be undone.", es: "Los encuentros que ya empezaron con ella conservan su agenda. No se puede deshacer." }
    StartTemplateConfirm { en: "Delete it", es: "Eliminarla" }
    StartTemplateKeep { en: "Keep it", es: "Conservarla" }
    StartTemplateDeleted { en: "The template is deleted.", es: "La plantilla se ha eliminado." }
    StartTemplateGone { en: "That template was already gone.", es: "Esa plantilla ya no existía." }
    StartGone { en: "There's nothing at that link any more. It may already have been deleted.", es: "Ya no hay nada en ese enlace. Puede que ya se haya eliminado." }
    StartErrDeleteFailed { en: "We couldn't delete that gathering just now, and nothing was changed. Please try again from its console.", es: "No hemos podido eliminar ese encuentro ahora mismo, y no se ha cambiado nada. Vuelve a intentarlo desde su consola." }

    ConsolePhoneAddress { en: "The address phones should use", es: "La dirección que deben usar los teléfonos" }
    ConsolePhoneAddressHint { en: "Phones on the same network type this, or scan the QR code on the screen. If they can't open it, start Hearth again with --public-url and the right address.", es: "Los teléfonos de la misma red escriben esto o escanean el código QR de la pantalla. Si no pueden abrirla, vuelve a iniciar Hearth con --public-url y la dirección correcta." }
    LanguageLabel { en: "Language", es: "Idioma" }
    ConsoleScreenTitle { en: "The shared screen", es: "La pantalla compartida" }
    ConsoleScreenHint { en: "Nobody can change these on a projector, so the screen follows what you choose here, at once.", es: "En un proyector nadie puede cambiarlos, así que la pantalla sigue lo que elijas aquí, al momento." }
    ConsoleScreenLanguage { en: "Language on the screen", es: "Idioma de la pantalla" }
    ConsoleScreenTheme { en: "Colours on the screen", es: "Colores de la pantalla" }
    ThemeStandard { en: "Standard", es: "Estándar" }
    ThemeContrast { en: "High contrast, for a bright projector", es: "Alto contraste, para un proyector muy luminoso" }
    AnnounceNewCards { en: "{n} new card on the board|{n} new cards on the board", es: "{n} tarjeta nueva en el tablero|{n} tarjetas nuevas en el tablero" }
    AnnounceStep { en: "New step: {prompt}", es: "Nuevo paso: {prompt}" }
    HarvestMadeOn { en: "Harvested on {date}", es: "Cosecha del {date}" }
    MonthJanuary { en: "January", es: "enero" }
    MonthFebruary { en: "February", es: "febrero" }
    MonthMarch { en: "March", es: "marzo" }
    MonthApril { en: "April", es: "abril" }
    MonthMay { en: "May", es: "mayo" }
    MonthJune { en: "June", es: "junio" }
    MonthJuly { en: "July", es: "julio" }
    MonthAugust { en: "August", es: "agosto" }
    MonthSeptember { en: "September", es: "septiembre" }
    MonthOctober { en: "October", es: "octubre" }
    MonthNovember { en: "November", es: "noviembre" }
    MonthDecember { en: "December", es: "diciembre" }
    DateLong { en: "{day} {month} {year}", es: "{day} de {month} de {year}" }

    KindStatements { en: "Statements", es: "Afirmaciones" }
    NoteStatements { en: "Worldview, at the scale of a community. Each of us learned what we believe somewhere, and in a hall those places form groups. Invite short statements, and ask everyone to answer agree, disagree or pass; passing is always a fine answer. Open by saying the groups are not teams and nobody is placed for good. Show common ground first: what every group shares is the floor the harder conversation stands on. Then take one divide with curiosity: what did each group live or learn that makes this true for them? Close on what the room holds in common.", es: "Visión del mundo, a la escala de una comunidad. Cada persona aprendió en algún lugar lo que cree, y en una sala esos lugares forman grupos. Invita a escribir afirmaciones breves y a responder de acuerdo, en desacuerdo o paso; pasar siempre es una buena respuesta. Abre diciendo que los grupos no son equipos y que nadie queda colocado para siempre. Muestra primero el terreno común: lo que todos los grupos comparten es el suelo sobre el que se apoya la conversación difícil. Después toma una división con curiosidad: ¿qué vivió o aprendió cada grupo para que esto sea verdad para él? Cierra con lo que la sala tiene en común." }
    PromptStatements { en: "What should our community keep, change or begin? One short statement others can agree or disagree with.", es: "¿Qué debería mantener, cambiar o empezar nuestra comunidad? Una afirmación breve con la que otras personas puedan estar de acuerdo o no." }
    ErrCodeStatementTooLong { en: "That's a little long. A statement has at most 140 characters.", es: "Es un poco largo. Una afirmación tiene como máximo 140 caracteres." }
    ErrCodeNotVotable { en: "That statement isn't open for answers now. It may have been hidden or withdrawn.", es: "Esa afirmación no está abierta a respuestas ahora. Puede que se haya ocultado o retirado." }
    ConsolePreScreenField { en: "Read each statement before it reaches the room (pre-screen)", es: "Leer cada afirmación antes de que llegue a la sala (revisión previa)" }
    ConsoleSeedsField { en: "Statements of your own to start with, one per line (up to 140 characters each). They reach the room when the step opens.", es: "Afirmaciones tuyas para empezar, una por línea (hasta 140 caracteres cada una). Llegan a la sala cuando se abre el paso." }
    SeedLookOut { en: "People in our neighbourhood look out for each other.", es: "En nuestro barrio la gente se cuida entre sí." }
    SeedYoungPeople { en: "Young people need places to meet that don't cost money.", es: "La gente joven necesita lugares donde encontrarse sin gastar dinero." }
    SeedHeard { en: "When decisions are made about our streets, I feel heard.", es: "Cuando se decide sobre nuestras calles, siento que se me escucha." }
    PartMerged { en: "Someone else said this too, so the two were joined. The room answers them as one:", es: "Alguien más dijo esto también, así que se unieron. La sala responde a las dos como una sola:" }
    PartMergedElsewhere { en: "Someone else said this too, so the two were joined and answered as one.", es: "Alguien más dijo esto también, así que se unieron y se respondieron como una sola." }
    StatementsGroup { en: "Group {letter}", es: "Grupo {letter}" }
    StatementsPeople { en: "{n} person|{n} people", es: "{n} persona|{n} personas" }
    StatementsLandscapeLabel { en: "The room's opinion groups, each drawn as a soft cloud with how many people are in it", es: "Los grupos de opinión de la sala, cada uno dibujado como una nube suave con cuántas personas tiene" }
    StatementsTooFewAnswers { en: "Too few answers to show yet", es: "Todavía hay muy pocas respuestas para mostrar" }
    StatementsSplit { en: "{agree}% agree · {disagree}% disagree · {pass}% pass", es: "{agree}% de acuerdo · {disagree}% en desacuerdo · {pass}% paso" }
    StatementsTooFewYet { en: "The room's landscape appears once enough people have answered a few statements.", es: "El paisaje de la sala aparece cuando suficientes personas han respondido algunas afirmaciones." }
    StatementsOneRoom { en: "No separate groups for now: the room answers much alike.", es: "Por ahora no hay grupos separados: la sala responde de forma parecida." }
    StatementsOnScreen { en: "On the screen now", es: "En la pantalla ahora" }
    StatementsWholeRoom { en: "The whole room:", es: "Toda la sala:" }
    StatementsCommonGround { en: "Common ground", es: "Terreno común" }
    StatementsNoCommonGround { en: "No common ground yet. It appears here as people answer.", es: "Todavía no hay terreno común. Aparecerá aquí a medida que la gente responda." }
    StatementsEveryGroup { en: "At least {p}% of every group agrees", es: "Al menos el {p}% de cada grupo está de acuerdo" }
    StatementsEveryGroupAll { en: "Everyone who answered, in every group, agrees", es: "Todas las personas que respondieron, en cada grupo, están de acuerdo" }
    StatementsDivide { en: "{a}: {pa}% agree · {b}: {pb}% disagree", es: "{a}: {pa}% de acuerdo · {b}: {pb}% en desacuerdo" }
    StatementsDivides { en: "Where the room divides", es: "Donde la sala se divide" }
    StatementsFromTheRoom { en: "A statement from the room", es: "Una afirmación de la sala" }
    StatementsNoneYet { en: "No statements yet. You can write the first one below.", es: "Todavía no hay afirmaciones. Puedes escribir la primera aquí abajo." }
    StatementsAllAnswered { en: "You've answered every statement for now. New ones will appear here.", es: "Has respondido todas las afirmaciones por ahora. Las nuevas aparecerán aquí." }
    StatementsAgree { en: "Agree", es: "De acuerdo" }
    StatementsDisagree { en: "Disagree", es: "En desacuerdo" }
    StatementsPass { en: "Pass / unsure", es: "Paso / no sé" }
    StatementsPlaceSoon { en: "Your place in the room appears in a moment.", es: "Tu lugar en la sala aparecerá en un momento." }
    StatementsPlaceNotYet { en: "Answer {n} more statement to see which group you are closest to.|Answer {n} more statements to see which group you are closest to.", es: "Responde {n} afirmación más para ver de qué grupo estás más cerca.|Responde {n} afirmaciones más para ver de qué grupo estás más cerca." }
    StatementsPlaceNoGroups { en: "The room hasn't formed separate groups yet.", es: "La sala todavía no ha formado grupos separados." }
    StatementsPlaceClosest { en: "You're closest to {group}.", es: "Estás más cerca de {group}." }
    StatementsPlaceWhy { en: "You answered these as that group tends to:", es: "Respondiste estas como suele hacerlo ese grupo:" }
    StatementsYouAgreed { en: "You agreed:", es: "Estuviste de acuerdo:" }
    StatementsYouDisagreed { en: "You disagreed:", es: "No estuviste de acuerdo:" }
    StatementsOnlyYou { en: "Only you see this", es: "Solo tú ves esto" }
    StatementsYourAnswers { en: "Your answer ({n})|Your answers ({n})", es: "Tu respuesta ({n})|Tus respuestas ({n})" }
    StatementsWrite { en: "Add a statement", es: "Añadir una afirmación" }
    StatementsHint { en: "Anonymous. Up to 140 characters: one idea others can agree or disagree with.", es: "Anónima. Hasta 140 caracteres: una idea con la que otras personas puedan estar de acuerdo o no." }
    StatementsAdd { en: "Add statement", es: "Añadir afirmación" }
    StatementsQueue { en: "Waiting to be let in", es: "Esperando para entrar" }
    StatementsQueueEmpty { en: "No statements waiting.", es: "No hay afirmaciones esperando." }
    StatementsLetIn { en: "Let in", es: "Dejar entrar" }
    StatementsKeepOut { en: "Keep out", es: "Dejar fuera" }
    StatementsSeedLabel { en: "A statement of your own", es: "Una afirmación tuya" }
    StatementsSeed { en: "Put to the room", es: "Proponer a la sala" }
    StatementsInRoom { en: "Statements in the room", es: "Afirmaciones en la sala" }
    StatementsPutOnScreen { en: "Put on screen", es: "Mostrar en pantalla" }
    StatementsTakeOff { en: "Take off the screen", es: "Quitar de la pantalla" }
    StatementsSameAs { en: "Same as…", es: "Igual que…" }
    StatementsMerge { en: "Merge", es: "Unir" }
    StatementsNameGroups { en: "Name the groups", es: "Nombrar los grupos" }
    StatementsName { en: "Name", es: "Nombrar" }
    StatementsDone { en: "Done.", es: "Hecho." }
    StatementsExportSvg { en: "Landscape as SVG", es: "Paisaje en SVG" }
    StatementsExportPng { en: "Landscape as PNG", es: "Paisaje en PNG" }
    KindSmallGroups { en: "Small groups", es: "Grupos pequeños" }
    NoteSmallGroups { en: "Practice. IPS is learned by doing it: one person tells a story, one listens for connection and worldview, one watches for disconnects, then everyone swaps. Triads matter because the observer sees what the two in the conversation cannot, and because each person tries every seat. Remind people that their group sees what they write, and that noticing a disconnect is part of the practice, not a failure. To debrief, ask each group what it noticed before asking what went wrong: what helped connection, what pulled it away, what they would try next time. Then reveal what the groups chose to bring back, and wonder about it together.", es: "Práctica. IPS se aprende practicando: una persona cuenta una historia, otra escucha buscando la conexión y la visión del mundo, otra observa las desconexiones, y luego se cambian. Los tríos importan porque quien observa ve lo que las dos personas que conversan no ven, y porque cada persona prueba cada lugar. Recuerda que su grupo ve lo que escriben, y que notar una desconexión es parte de la práctica, no un fracaso. Para cerrar, pregunta a cada grupo qué notó antes de preguntar qué salió mal: qué ayudó a la conexión, qué la alejó, qué probarían la próxima vez. Después revela lo que los grupos eligieron traer a la sala y reflexionad juntos." }
    PromptSmallGroups { en: "Tell a time when someone really listened to you. What did they do?", es: "Cuenta una vez en que alguien te escuchó de verdad. ¿Qué hizo?" }
    RoleSetIpsTriad { en: "IPS practice triad: storyteller, listener, observer", es: "Trío de práctica IPS: quien cuenta, quien escucha, quien observa" }
    RoleSetPairs { en: "Pairs: speaker, listener", es: "Parejas: quien habla, quien escucha" }
    RoleSetNoRoles { en: "No roles: everyone talks", es: "Sin roles: todo el mundo conversa" }
    RoleStoryteller { en: "Storyteller", es: "Quien cuenta" }
    RoleListener { en: "Listener", es: "Quien escucha" }
    RoleObserver { en: "Observer", es: "Quien observa" }
    RoleSpeaker { en: "Speaker", es: "Quien habla" }
    RoleCardStoryteller { en: "Tell a story from your own life, as much or as little as you like. You choose what to share.", es: "Cuenta una historia de tu vida, tanto o tan poco como quieras. Tú eliges qué compartir." }
    RoleCardListener { en: "Listen for connection and for how they make sense of it. Ask what happened, not what's wrong. No fixing.", es: "Escucha buscando la conexión y cómo le da sentido. Pregunta qué pasó, no qué está mal. Sin arreglar nada." }
    RoleCardObserver { en: "Stay quiet and notice. Tap a disconnect or a moment of connection when you see one: your notes stay on your phone unless you share them.", es: "Quédate en silencio y observa. Toca una desconexión o un momento de conexión cuando lo veas: tus notas se quedan en tu móvil salvo que las compartas." }
    RoleCardSpeaker { en: "Speak about the prompt in your own words. Take your time.", es: "Habla sobre la pregunta con tus propias palabras. Tómate tu tiempo." }
    RoleCardNone { en: "Talk about the prompt together. Everyone's voice counts the same.", es: "Conversad sobre la pregunta. Cada voz cuenta lo mismo." }
    ColourTeal { en: "teal", es: "turquesa" }
    ColourOrange { en: "orange", es: "naranja" }
    ColourPurple { en: "purple", es: "morado" }
    ColourYellow { en: "yellow", es: "amarillo" }
    ColourBlue { en: "blue", es: "azul" }
    ColourPink { en: "pink", es: "rosa" }
    ColourGreen { en: "green", es: "verde" }
    ColourRed { en: "red", es: "rojo" }
    GroupSignName { en: "Group {n} · {colour} · {symbol}", es: "Grupo {n} · {colour} · {symbol}" }
    GroupYourGroup { en: "Your group", es: "Tu grupo" }
    GroupFindEachOther { en: "Hold up your phone to find the others with this sign.", es: "Levanta el móvil para encontrar a quienes tienen esta señal." }
    GroupYourPlace { en: "You are person {place} of {members}. If you need to change group, tell the facilitator this number and your group's.", es: "Eres la persona {place} de {members}. Si necesitas cambiar de grupo, di a quien facilita este número y el de tu grupo." }
    GroupWaitingDeal { en: "Groups are being formed. Your group will show here.", es: "Se están formando los grupos. Tu grupo aparecerá aquí." }
    GroupYourRole { en: "Your role this round", es: "Tu rol en esta ronda" }
    GroupBeforeRound { en: "The first round starts soon.", es: "La primera ronda empieza pronto." }
    GroupRoundOf { en: "Round {round} of {rounds}", es: "Ronda {round} de {rounds}" }
    GroupSwapRoles { en: "Round {round} of {rounds}: swap roles", es: "Ronda {round} de {rounds}: cambiad de rol" }
    GroupSeesWords { en: "Your group sees what you write here, straight away. It is not anonymous within your group.", es: "Tu grupo ve al momento lo que escribes aquí. Dentro de tu grupo no es anónimo." }
    GroupBoardTitle { en: "Your group's board", es: "El tablero de tu grupo" }
    GroupBoardEmpty { en: "Nothing written yet.", es: "Todavía no hay nada escrito." }
    GroupWriteLabel { en: "Write for your group", es: "Escribe para tu grupo" }
    GroupWrite { en: "Add to our board", es: "Añadir a nuestro tablero" }
    GroupNoteTitle { en: "Notice, privately", es: "Observa, en privado" }
    GroupNoteHint { en: "Only you see these notes, unless you share one with your group.", es: "Solo tú ves estas notas, salvo que compartas alguna con tu grupo." }
    GroupNoteWords { en: "A few words (optional)", es: "Unas palabras (opcional)" }
    GroupPrivate { en: "Only you see this", es: "Solo tú ves esto" }
    GroupShare { en: "Share with my group", es: "Compartir con mi grupo" }
    GroupMine { en: "You wrote this", es: "Lo escribiste tú" }
    GroupPropose { en: "Propose for the room", es: "Proponer para la sala" }
    GroupProposed { en: "Proposed for the room: another member can agree", es: "Propuesta para la sala: otra persona del grupo puede aceptarla" }
    GroupProposedByYou { en: "You proposed this for the room. Another member needs to agree.", es: "Propusiste esto para la sala. Otra persona del grupo tiene que aceptarlo." }
    GroupAgree { en: "Agree: send to the room", es: "Aceptar: enviar a la sala" }
    GroupSent { en: "Sent to the room", es: "Enviada a la sala" }
    GroupBringBackHint { en: "In the last round, your group can send cards to the room: one person proposes, another agrees. They are shown without names.", es: "En la última ronda, tu grupo puede enviar tarjetas a la sala: una persona propone y otra acepta. Se muestran sin nombres." }
    GroupBack { en: "Everyone is back in the room. Thank you for practising together.", es: "Todo el mundo ha vuelto a la sala. Gracias por practicar juntos." }
    GroupDone { en: "Done.", es: "Hecho." }
    ScreenGroupsFind { en: "Find your group: look for your sign on your phone", es: "Busca tu grupo: mira tu señal en el móvil" }
    ScreenGroupsCount { en: "{n} group|{n} groups", es: "{n} grupo|{n} grupos" }
    ScreenGroupsBrought { en: "{n} group has brought something back|{n} groups have brought something back", es: "{n} grupo ha traído algo a la sala|{n} grupos han traído algo a la sala" }
    ScreenGroupsBack { en: "Welcome back", es: "Bienvenidos de vuelta" }
    ConsoleGroups { en: "Small groups", es: "Grupos pequeños" }
    ConsoleGroupsNone { en: "Not dealt yet. Deal the phones in the room into groups.", es: "Aún sin repartir. Reparte los móviles de la sala en grupos." }
    ConsoleGroupsDeal { en: "Deal into groups", es: "Repartir en grupos" }
    ConsoleGroupsRedeal { en: "Deal again", es: "Repartir de nuevo" }
    ConsoleGroupsRedealConfirm { en: "Deal again? The groups have written. What they wrote and did not bring back will be gone for good. Cards already brought back stay with the room.", es: "¿Repartir de nuevo? Los grupos han escrito. Lo que escribieron y no trajeron de vuelta desaparecerá para siempre. Las tarjetas que ya trajeron se quedan en la sala." }
    ConsoleGroupsRedealYes { en: "Yes, deal again", es: "Sí, repartir de nuevo" }
    ConsoleGroupsStart { en: "Start round {round}", es: "Empezar la ronda {round}" }
    ConsoleGroupsBack { en: "Bring everyone back", es: "Traer a todo el mundo de vuelta" }
    ConsoleGroupsMove { en: "Move one person", es: "Mover a una persona" }
    ConsoleGroupsMoveHint { en: "Ask them for their group and person numbers, shown on their phone.", es: "Pídele su número de grupo y de persona, que aparecen en su móvil." }
    ConsoleGroupsFrom { en: "From group", es: "Del grupo" }
    ConsoleGroupsPlace { en: "Person", es: "Persona" }
    ConsoleGroupsTo { en: "To group", es: "Al grupo" }
    ConsoleGroupSize { en: "People per group (2 to 6)", es: "Personas por grupo (de 2 a 6)" }
    ConsoleGroupRounds { en: "Rounds (1 to 4)", es: "Rondas (de 1 a 4)" }
    ConsoleGroupMinutes { en: "Minutes per round", es: "Minutos por ronda" }
    ConsoleGroupRoles { en: "Roles", es: "Reparto de roles" }
    ConsoleGroupPrompts { en: "A prompt per round, one per line (optional)", es: "Una pregunta por ronda, una por línea (opcional)" }
    ConsoleGroupShowSign { en: "Mark cards brought back with their group's sign", es: "Marcar las tarjetas traídas con la señal de su grupo" }
    ErrCodeNoGroups { en: "There are no small groups on this step right now.", es: "Ahora mismo no hay grupos pequeños en este paso." }
    ErrCodeNotYourGroup { en: "That card belongs to another group, so nothing changed.", es: "Esa tarjeta es de otro grupo, así que no ha cambiado nada." }
    ErrCodeNotObserver { en: "Only this round's observer notes disconnects. Your role card says what to do now.", es: "Solo quien observa en esta ronda anota desconexiones. Tu tarjeta de rol dice qué hacer ahora." }
    ErrCodeNeedsSecondMember { en: "Another person in your group needs to agree before it goes to the room.", es: "Otra persona de tu grupo tiene que aceptarla antes de que vaya a la sala." }
    ErrCodeMidRound { en: "The groups are in the middle of a round. Bring everyone back first.", es: "Los grupos están en medio de una ronda. Trae primero a todo el mundo de vuelta." }
    ErrCodeNoSuchGroup { en: "There is no group or person with that number.", es: "No hay ningún grupo ni persona con ese número." }
    ErrCodeWouldLeaveAlone { en: "That would leave someone on their own, so nobody was moved.", es: "Eso dejaría a alguien sin grupo, así que no se ha movido a nadie." }
    ErrCodeGroupsWriting { en: "The groups have written. Dealing again would let go of what they did not bring back.", es: "Los grupos han escrito. Repartir de nuevo dejaría ir lo que no trajeron de vuelta." }
    ErrCodeNotLastRound { en: "Cards go back to the room in the last round.", es: "Las tarjetas vuelven a la sala en la última ronda." }
    ErrCodeUnknownRound { en: "That round isn't part of this step.", es: "Esa ronda no forma parte de este paso." }
}

impl Msg {
    /// A count in words: the message holds a singular and a plural form
    /// split by `|` (English and Spanish both use one form for exactly 1
    /// and the other for every other number), with `{n}` filled in.
    pub fn plural(self, locale: Locale, n: usize) -> String {
        let text = self.text(locale);
        let form = match text.split_once('|') {
            Some((one, _)) if n == 1 => one,
            Some((_, other)) => other,
            None => text,
        };
        form.replace("{n}", &locale.number(n))
    }

    /// The message with `{name}` placeholders filled in.
    pub fn fill(self, locale: Locale, values: &[(&str, &str)]) -> String {
        values
            .iter()
            .fold(self.text(locale).to_owned(), |text, (name, value)| {
                text.replace(&format!("{{{name}}}"), value)
            })
    }
}

/// The words for a refused action.
pub fn error_msg(code: hearth_core::error::ErrorCode) -> Msg {
    use hearth_core::error::ErrorCode as E;
    match code {
        E::Malformed | E::TooLarge => Msg::ErrCodeMalformed,
        E::NotAllowed => Msg::ErrCodeNotAllowed,
        E::NotCollecting => Msg::ErrCodeNotCollecting,
        E::UnknownStep => Msg::ErrCodeUnknownStep,
        E::UnknownCard => Msg::ErrCodeUnknownCard,
        E::Empty => Msg::ErrCodeEmpty,
        E::TooLong => Msg::ErrCodeTooLong,
        E::StepNotOpen => Msg::ErrCodeStepNotOpen,
        E::UnknownLine => Msg::ErrCodeUnknownLine,
        E::WordsMissing => Msg::ErrCodeWordsMissing,
        E::WordsTooLong => Msg::ErrCodeWordsTooLong,
        E::BadSettings => Msg::ErrCodeBadSettings,
        E::NoReflections => Msg::ErrCodeNoReflections,
        E::WrongPlace => Msg::ErrCodeWrongPlace,
        E::OverBudget => Msg::ErrCodeOverBudget,
        E::StepInUse => Msg::ErrCodeStepInUse,
        E::LastStep => Msg::ErrCodeLastStep,
        E::Ended => Msg::ErrCodeEnded,
        E::OutsideMap => Msg::ErrCodeOutsideMap,
        E::UnknownTheme => Msg::ErrCodeUnknownTheme,
        E::StatementTooLong => Msg::ErrCodeStatementTooLong,
        E::NotVotable => Msg::ErrCodeNotVotable,
        E::RateLimited => Msg::ErrCodeRateLimited,
        E::Internal => Msg::ErrCodeInternal,
        E::NoGroups => Msg::ErrCodeNoGroups,
        E::NotYourGroup => Msg::ErrCodeNotYourGroup,
        E::NotObserver => Msg::ErrCodeNotObserver,
        E::NeedsSecondMember => Msg::ErrCodeNeedsSecondMember,
        E::MidRound => Msg::ErrCodeMidRound,
        E::NoSuchGroup => Msg::ErrCodeNoSuchGroup,
        E::WouldLeaveAlone => Msg::ErrCodeWouldLeaveAlone,
        E::GroupsWriting => Msg::ErrCodeGroupsWriting,
        E::NotLastRound => Msg::ErrCodeNotLastRound,
        E::UnknownRound => Msg::ErrCodeUnknownRound,
    }
}

/// The language a view speaks, provided once at the top of the app.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct I18n(pub Locale);

impl I18n {
    pub fn t(self, msg: Msg) -> &'static str {
        msg.text(self.0)
    }

    pub fn fill(self, msg: Msg, values: &[(&str, &str)]) -> String {
        msg.fill(self.0, values)
    }

    pub fn plural(self, msg: Msg, n: usize) -> String {
        msg.plural(self.0, n)
    }
}

/// The current view's language.
pub fn use_i18n() -> I18n {
    use_context::<I18n>().unwrap_or(I18n(Locale::En))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_has_words_in_every_language() {
        for locale in Locale::ALL {
            for msg in Msg::ALL {
                assert!(
                    !msg.text(locale).trim().is_empty(),
                    "{msg:?} is empty in {locale:?}"
                );
            }
        }
    }

    #[test]
    fn plurals_choose_their_form() {
        assert_eq!(Msg::StartTemplateSteps.plural(Locale::En, 1), "1 step");
        assert_eq!(Msg::StartTemplateSteps.plural(Locale::En, 0), "0 steps");
        assert_eq!(Msg::StartTemplateSteps.plural(Locale::En, 7), "7 steps");
    }

    #[test]
    fn spanish_plurals_choose_their_form() {
        assert_eq!(Msg::StartTemplateSteps.plural(Locale::Es, 1), "1 paso");
        assert_eq!(Msg::StartTemplateSteps.plural(Locale::Es, 0), "0 pasos");
        assert_eq!(Msg::ScreenDots.plural(Locale::Es, 3), "3 puntos");
    }

    #[test]
    fn numbers_are_written_each_language_s_way() {
        assert_eq!(Locale::En.number(999), "999");
        assert_eq!(Locale::En.number(2000), "2,000");
        assert_eq!(Locale::En.number(1_234_567), "1,234,567");
        assert_eq!(Locale::Es.number(2000), "2000", "four digits stay together");
        assert_eq!(Locale::Es.number(12_500), "12\u{a0}500");
        assert_eq!(
            Msg::ConsoleWaiting.plural(Locale::En, 1200),
            "1,200 reflections are waiting on this step."
        );
    }

    #[test]
    fn languages_are_found_by_any_form_of_their_tag() {
        assert_eq!(Locale::from_tag("es"), Some(Locale::Es));
        assert_eq!(Locale::from_tag("es-419"), Some(Locale::Es));
        assert_eq!(Locale::from_tag("EN_gb"), Some(Locale::En));
        assert_eq!(Locale::from_tag("fr"), None);
        assert_eq!(Locale::from_tag(""), None);
        for locale in Locale::ALL {
            assert_eq!(Locale::from_tag(locale.tag()), Some(locale));
        }
    }

    #[test]
    fn spanish_is_reachable_by_its_tag() {
        assert_eq!(Locale::Es.tag(), "es");
        assert_eq!(I18n(Locale::Es).t(Msg::PartPass), "Pasar");
        assert_eq!(
            Msg::PartSpectrumLabel.fill(Locale::Es, &[("left", "Miedo"), ("right", "Esperanza")]),
            "¿Dónde estás, entre Miedo y Esperanza?"
        );
    }

    /// Messages whose Spanish is rightly the same as their English: the
    /// product's name and the speakers' names in the sample dialogues.
    const SAME_IN_SPANISH: &[Msg] = &[
        Msg::AppName,
        Msg::SpeakerAlex,
        Msg::SpeakerSam,
        Msg::SpeakerRosa,
        Msg::SpeakerDev,
    ];

    #[test]
    fn every_message_is_translated_into_spanish() {
        for &msg in Msg::ALL {
            let (en, es) = (msg.text(Locale::En), msg.text(Locale::Es));
            assert!(!es.trim().is_empty(), "{msg:?} is empty in Spanish");
            if SAME_IN_SPANISH.contains(&msg) {
                assert_eq!(en, es, "{msg:?} is a name and stays the same");
            } else {
                assert_ne!(en, es, "{msg:?} is not translated into Spanish");
            }
        }
    }

    /// The `{name}` placeholders of a text, sorted.
    fn placeholders(text: &str) -> Vec<&str> {
        let mut found = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find('{') {
            let Some(len) = rest[start..].find('}') else {
                break;
            };
            found.push(&rest[start..start + len + 1]);
            rest = &rest[start + len + 1..];
        }
        found.sort_unstable();
        found
    }

    #[test]
    fn every_language_keeps_the_placeholders_and_plural_forms() {
        for &msg in Msg::ALL {
            let en = msg.text(Locale::En);
            for locale in Locale::ALL {
                let text = msg.text(locale);
                assert_eq!(
                    placeholders(en),
                    placeholders(text),
                    "{msg:?} has different placeholders in {locale:?}"
                );
                assert_eq!(
                    en.contains('|'),
                    text.contains('|'),
                    "{msg:?} has a plural form in one language only ({locale:?})"
                );
                assert!(text.matches('|').count() <= 1, "{msg:?} in {locale:?}");
                // Each plural form carries the placeholders on its own.
                if let Some((one, other)) = text.split_once('|') {
                    assert_eq!(placeholders(one), placeholders(other), "{msg:?}");
                }
            }
        }
    }

    #[test]
    fn prompts_and_labels_fit_their_limits_in_every_language() {
        use hearth_core::words::{LABEL_MAX_CHARS, PROMPT_MAX_CHARS};
        for &msg in Msg::ALL {
            let name = format!("{msg:?}");
            let limit = if ["Prompt", "HardWeek", "Meeting"]
                .iter()
                .any(|p| name.starts_with(p))
            {
                PROMPT_MAX_CHARS
            } else if ["Pole", "Column", "Speaker", "Axis"]
                .iter()
                .any(|p| name.starts_with(p))
            {
                LABEL_MAX_CHARS
            } else {
                continue;
            };
            for locale in Locale::ALL {
                let chars = msg.text(locale).chars().count();
                assert!(
                    chars <= limit,
                    "{msg:?} has {chars} characters in {locale:?}"
                );
            }
        }
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(
            Msg::PartCharsLeft.fill(Locale::En, &[("n", "12")]),
            "12 characters left"
        );
    }
}
