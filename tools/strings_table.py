"""The add-on's user-facing strings: (id, constant name or None for settings-only, English).

Single source for resources/language/.../strings.po and lib/simkl_ratings/kodi/strings.py;
regenerate both with `make strings`. Settings labels and help texts have no constant: they are
used by id in resources/settings.xml.
"""

STRINGS = [
    # General
    (30001, "ACTION_SYNC", "Sync ratings now"),
    (30002, "ACTION_PREVIEW", "Preview changes (writes nothing)"),
    (30003, "ACTION_LOGIN", "Sign in to Simkl"),
    (30004, "ACTION_LOGOUT", "Sign out of Simkl"),
    (30005, "ACTION_REPORT", "Show the last sync report"),
    (30006, "ACTION_SETTINGS", "Settings"),
    (30007, "ACTION_REBUILD", "Rebuild from scratch (download all ratings again)"),
    (30008, "BUSY", "A sync is already running; try again when it has finished."),
    # Progress
    (30010, "PROGRESS_FETCH", "Downloading your Simkl ratings: {type}…"),
    (30011, "PROGRESS_READ", "Reading your Kodi library: {kind}…"),
    (30012, "PROGRESS_WRITE", "Writing ratings to Kodi: {done} of {total}"),
    (30013, "PROGRESS_START", "Starting…"),
    (30014, "PROGRESS_CHECK", "Asking Simkl what changed…"),
    (30015, "PROGRESS_SCAN", "Waiting for Kodi to finish scanning the library…"),
    (30020, "TYPE_MOVIES", "movies"),
    (30021, "TYPE_SHOWS", "TV shows"),
    (30022, "TYPE_ANIME", "anime"),
    # Summaries: one line in Estuary's toast (about 31 characters, kodi/messages.py); the first
    # names what the run did, the clauses after it ({count} ...) what else happened
    (30030, "SUMMARY_OK", "{updated} updated"),
    (30031, "SUMMARY_PREVIEW", "Preview: {updated} would change"),
    (30032, "SUMMARY_CANCELLED", "Sync stopped: {updated} updated"),
    (30034, "SUMMARY_NOTHING_NEW", "Nothing new on Simkl"),
    (30600, "SUMMARY_UNMATCHED", "{count} not in library"),
    (30035, "SUMMARY_CLEARED", "{count} cleared"),
    (30036, "SUMMARY_KEPT", "{count} Kodi edits kept"),
    (30033, "SUMMARY_FAILED_WRITES", "{count} not written"),
    # Errors, by the error code in the report
    (30040, "ERROR_SIGNED_OUT", "Simkl signed you out. Sign in again to sync your ratings."),
    (
        30041,
        "ERROR_CLIENT_ID",
        "Simkl refused this add-on's client ID. Check the client ID in "
        "the add-on settings (Advanced).",
    ),
    (
        30042,
        "ERROR_RATE_LIMITED",
        "Simkl is rate-limiting requests; try again in {minutes} minutes.",
    ),
    (30043, "ERROR_SERVER", "Simkl is having problems right now; try again later."),
    (30044, "ERROR_NETWORK", "Could not reach Simkl. Check your internet connection."),
    (30045, "ERROR_BAD_RESPONSE", "Simkl sent a reply the add-on cannot read; try again later."),
    (
        30046,
        "ERROR_CONFIG",
        "The add-on settings are not usable: the Simkl API address must "
        "start with https://, and a client ID must be set.",
    ),
    (
        30047,
        "ERROR_KODI",
        "Kodi's video library could not be read or written. Details are in the Kodi log.",
    ),
    (30048, "ERROR_SIMKL", "Simkl refused the request. Details are in the Kodi log."),
    (
        30049,
        "ERROR_UNEXPECTED",
        "The sync stopped on an unexpected error. Details are in the Kodi log.",
    ),
    (
        30520,
        "ERROR_TOKEN_REFUSED",
        "Simkl refused your sign-in for now. It is kept; the next sync tries again.",
    ),
    # What a run holds back until the user says (the engine's safety rules)
    (
        30521,
        "ASK_EMPTY_REPLY",
        "Simkl sent none of your {types} ratings, though the add-on holds {count} from it. "
        "Did you remove them all on Simkl?[CR]Yes clears them in Kodi too. No keeps them; the "
        "next sync asks Simkl again.",
    ),
    (
        30522,
        "ASK_CLEARS",
        "{count} ratings were removed on Simkl since the last sync, more than a sync clears "
        "without asking: {titles}[CR]Clear them in Kodi too? No keeps them.",
    ),
    (
        30523,
        "NOTICE_CLEARS_HELD",
        "{count} ratings removed on Simkl are kept in Kodi until you agree: choose Sync "
        "ratings now in Simkl Ratings Sync.",
    ),
    (
        30524,
        "NOTICE_EMPTY_REPLY",
        "Simkl sent none of your {types} ratings. Nothing was changed; the next sync asks again.",
    ),
    (
        30525,
        "NOTICE_PUSH_FAILING",
        "Ratings made in Kodi could not be sent to Simkl yet. The add-on keeps trying.",
    ),
    (
        30526,
        "NOTICE_PARKED",
        "Simkl did not take {count} ratings made in Kodi: it does not know these titles by "
        "their ids. The report lists them.",
    ),
    (
        30527,
        "NOTICE_OFFLINE",
        "Simkl has not been reachable for over an hour. The add-on keeps trying.",
    ),
    (30528, "SUMMARY_HELD", "{count} removals held"),  # a toast clause (kodi/messages.py)
    (30529, "REPORT_HELD", "Removed on Simkl, kept in Kodi until you agree:"),
    (30530, "REPORT_PARKED", "Not taken by Simkl (sent again when their ids change):"),
    # A rating given in the add-on's window or action, on Simkl
    (30531, "RATE_SENT", "Rated {rating} on Simkl: {title}"),
    (30532, "RATE_REMOVED_SENT", "Rating removed on Simkl: {title}"),
    (
        30533,
        "RATE_QUEUED",
        "Rated {rating} in Kodi: {title}. Simkl could not be reached; it goes there with the "
        "next sync.",
    ),
    (
        30534,
        "RATE_NOT_FOUND",
        "Simkl does not know this title by its ids: {title}. It is rated in Kodi only.",
    ),
    (
        30535,
        "RATE_NOT_SIGNED_IN",
        "Sign in from Programs → Simkl Ratings Sync to send it to Simkl too.",
    ),
    (
        30536,
        "ASK_WRITE_ACCESS",
        "Sending ratings to Simkl needs permission to change your Simkl lists, which your "
        "sign-in does not give. Sign in again now to grant it?",
    ),
    (30537, "RATE_BUSY", "A sync is running; rate again when it has finished."),
    # Sign-in
    (30062, "LOGIN_EXPIRES", "The code expires in {minutes}:{seconds}"),
    (30063, "LOGIN_CANCEL", "Cancel"),
    (30064, "LOGIN_DONE_AS", "Signed in to Simkl as {name}"),
    (30065, "LOGIN_DONE", "Signed in to Simkl"),
    (30066, "LOGIN_EXPIRED", "The code expired before it was entered. Try again."),
    (
        30067,
        "LOGOUT_DONE",
        "Signed out. To revoke access fully, remove the app on simkl.com "
        "under Settings → Connected apps.",
    ),
    (30069, "ASK_SIGN_IN", "Sign in to Simkl now?"),
    (
        30070,
        "SERVICE_SIGN_IN_HINT",
        "Sign in from Programs → Simkl Ratings Sync to sync your ratings.",
    ),
    (
        30071,
        "SETTINGS_INVALID",
        "Some settings had invalid values; their defaults were used: {names}",
    ),
    (30072, "NO_REPORT", "No sync has run yet."),
    # Sign-in V2 (device flow, QR code), scopes, quota
    (30300, "LOGIN_YOUR_CODE", "Your code"),
    (30301, "LOGIN_ENTER_AT", "On your phone or computer, enter it at"),
    (
        30302,
        "LOGIN_SCAN",
        "Or scan this with your phone's camera: it opens the page with the code.",
    ),
    (
        30303,
        "LOGIN_DENIED",
        "The sign-in was refused on simkl.com. Sign in again if that was a mistake.",
    ),
    (
        30304,
        "ERROR_SIGNIN_CHANGED",
        "Simkl changed how apps sign in and no longer accepts this device's old sign-in. "
        "Sign in again once to keep your ratings in sync.",
    ),
    (
        30305,
        "ERROR_SCOPE",
        "This needs permission to change your Simkl lists, which your sign-in does not give. "
        "Sign in again to grant it.",
    ),
    (
        30306,
        "ERROR_QUOTA_UNTIL",
        "Simkl's daily request limit for your account is used up. The add-on asks Simkl "
        "again after {time}.",
    ),
    (
        30307,
        "ERROR_QUOTA",
        "Simkl's daily request limit for your account is used up. The add-on asks Simkl "
        "again later.",
    ),
    (
        30308,
        "LOGOUT_REVOKED",
        "Signed out. The add-on asked Simkl to end this device's access to your account.",
    ),
    # Report viewer
    (30080, "REPORT_WHEN", "Last sync: {when}"),
    (30081, "REPORT_RESULT", "Result: {result}"),
    (
        30082,
        "REPORT_COUNTS",
        "{type}: {rated} rated on Simkl, {updated} updated, {unchanged} "
        "unchanged, {unmatched} not in library, {conflicts} ambiguous, "
        "{kind_unknown} of unknown kind, {collisions} superseded, {skipped} invalid, "
        "{unrated} unrated, {failed} failed",
    ),
    (30083, "REPORT_UNMATCHED", "Rated on Simkl but not found in your library:"),
    (30084, "REPORT_CHANGED", "Changed:"),
    (30085, "REPORT_WOULD_CHANGE", "Would change (preview, nothing was written):"),
    (
        30086,
        "REPORT_CONFLICTS",
        "Ambiguous: the ids match several library items, nothing was written:",
    ),
    (30087, "REPORT_SKIPPED", "Invalid ratings from Simkl, skipped:"),
    (30088, "REPORT_FAILED", "Kodi refused these writes:"),
    (
        30089,
        "REPORT_COLLISIONS",
        "Several Simkl items on one library item; the most recently rated was used:",
    ),
    (30090, "RESULT_OK", "completed"),
    (30091, "RESULT_ERROR", "failed"),
    (30092, "RESULT_CANCELLED", "cancelled"),
    (30093, "REPORT_ERROR", "Error: {error}"),
    (
        30094,
        "REPORT_NOTHING_NEW",
        "Nothing had changed on Simkl since the sync before; nothing was read or written.",
    ),
    (30095, "REPORT_BY_TITLE", "Matched by title and year (no id matched):"),
    (
        30096,
        "REPORT_KIND_UNKNOWN",
        "Not written: Simkl does not say whether these anime are films or series, and only a "
        "TMDb number (which differs for films and series) found a library item:",
    ),
    (30097, "SUMMARY_KIND_UNKNOWN", "{count} anime not placed"),
    # Two-way sync
    # A shared library (several devices)
    (
        30500,
        "HOUSEHOLD_ASK",
        "This Kodi shares its video library with other devices ({where}). Only one device "
        "should keep it in step with Simkl.\nShould this device do it? Answer No on the others.",
    ),
    (
        30501,
        "HOUSEHOLD_TAKE_OVER",
        "Another device syncs this shared library ({where}).\nSync it from this device from "
        "now on? Then set the other one to 'Another device syncs it'.",
    ),
    (
        30502,
        "HOUSEHOLD_LEFT",
        "This device leaves the shared library to another device. You can change this in the "
        "settings.",
    ),
    (
        30504,
        "HOUSEHOLD_TWO_SYNCING",
        "Another device seems to sync this shared library too. Keep one: set the others to "
        "'Another device syncs it'.",
    ),
    (
        30503,
        "HOUSEHOLD_HINT",
        "Shared library: open Simkl Ratings Sync to choose whether this device syncs it.",
    ),
    (30400, "SUMMARY_PUSHED", "{count} sent to Simkl"),
    (30401, "SUMMARY_PUSH_FAILED", "{count} not sent yet"),
    (
        30402,
        "ASK_SEND_KODI_ONLY",
        "{count} ratings are only in Kodi, not on Simkl. Send them to Simkl now?[CR]"
        "Rating a title on Simkl adds it to your Simkl lists. The report lists them.",
    ),
    (30403, "REPORT_PUSHED", "Sent to Simkl:"),
    (30404, "REPORT_WOULD_PUSH", "Would be sent to Simkl (preview, nothing was sent):"),
    (30405, "REPORT_KODI_ONLY", "Only in Kodi, waiting for your OK to send them to Simkl:"),
    (
        30406,
        "REPORT_PUSH_COUNTS",
        "{type} to Simkl: {pushed} sent, {push_removed} removed, {push_not_found} unknown to "
        "Simkl, {push_failed} not sent yet",
    ),
    (
        30407,
        "SUMMARY_KODI_ONLY_WAITING",
        "{count} ratings only in Kodi wait for your OK: choose Sync ratings now in Simkl Ratings "
        "Sync.",
    ),
    # Rating from Kodi: the context menu, the rating dialog, the rate action (30700-30799)
    (30700, None, "Rate on Simkl…"),
    (30701, None, "Rate the show on Simkl…"),
    (30702, "RATE_HEADING", "Rate on Simkl"),
    (30703, "RATE_KODI", "Your rating in Kodi: {rating}"),
    (30704, "RATE_KODI_NONE", "Not rated in Kodi"),
    (30705, "RATE_SIMKL", "Your last known rating on Simkl: {rating}"),
    (30706, "RATE_SIMKL_NONE", "No rating on Simkl that the add-on knows of"),
    (30707, "RATE_REMOVE", "Remove rating"),
    (30708, "RATE_SKIP", "Skip"),
    (30709, "RATE_HINT", "Number keys: 1 to 9, and 0 for 10"),
    (
        30710,
        "RATE_FOR_SHOW",
        "Simkl rates a show as a whole: this rates the show {title}.",
    ),
    (30711, "RATE_CLOSES", "Closes by itself in {seconds} s"),
    (30712, "RATE_SAVED_KODI", "Rated {rating} in Kodi: {title}"),
    (30713, "RATE_REMOVED_KODI", "Rating removed in Kodi: {title}"),
    (
        30720,
        "RATE_ARG_MISSING",
        "The rate action needs {name}=…, for example "
        "RunScript(script.simkl.ratings,rate,dbtype=movie,dbid=12).",
    ),
    (
        30721,
        "RATE_ARG_DBTYPE",
        "The rate action cannot rate dbtype={value}: use movie, tvshow, season or episode.",
    ),
    (
        30722,
        "RATE_ARG_DBID",
        "The rate action needs a library item: dbid={value} is not the id of one.",
    ),
    (
        30723,
        "RATE_ARG_RATING",
        "rating={value} is not a rating: use 1 to 10, or 0 to remove the rating.",
    ),
    (30724, "RATE_ARG_UNKNOWN", "The rate action has no argument '{name}'."),
    (30725, "RATE_ARG_REPEATED", "The rate action was given {name} twice."),
    (
        30727,
        "RATE_ARG_FOCUSED",
        "No movie, show, season or episode of your library is focused, so there is nothing to "
        "rate.",
    ),
    (
        30726,
        "RATE_NOT_IN_LIBRARY",
        "There is no {dbtype} with dbid {dbid} in your Kodi library, so nothing was rated.",
    ),
    # Settings: categories, groups, labels and help texts
    (30100, None, "Account"),
    (30101, None, "Sign in with a code shown on screen, or sign out."),
    (30102, None, "Sign in to Simkl"),
    (
        30103,
        None,
        "Shows a code and the address where you enter it. Your ratings sync once "
        "you approve the add-on on simkl.com.",
    ),
    (30104, None, "Sign out of Simkl"),
    (30105, None, "Forgets the sign-in on this device. Ratings already in Kodi stay."),
    (30106, None, "Signed in as"),
    (30107, None, "The Simkl account this device is signed in to (empty when signed out)."),
    (30110, None, "What to sync"),
    (30111, None, 'Choose which of your Simkl ratings are copied to Kodi\'s "My rating".'),
    (30112, None, "Movies"),
    (30113, None, "Copy your Simkl movie ratings to your Kodi movies."),
    (30114, None, "TV shows"),
    (30115, None, "Copy your Simkl TV show ratings to your Kodi TV shows."),
    (30116, None, "Anime"),
    (30117, None, "Copy your Simkl anime ratings: series go to TV shows, anime films to movies."),
    (30120, None, "Service"),
    (30121, None, "When the add-on syncs by itself in the background."),
    (30122, None, "Sync when Kodi starts"),
    (30123, None, "Sync once, in the background, shortly after Kodi starts."),
    (30124, None, "Startup delay (seconds)"),
    (
        30125,
        None,
        "How long to wait after Kodi starts before the first sync, so Kodi can finish starting.",
    ),
    (30126, None, "Sync interval (hours, 0 = off)"),
    (30127, None, "How often to sync while Kodi runs. 0 turns the scheduled sync off."),
    (30128, None, "Show notifications"),
    (30129, None, "Show a short summary after a background sync, and a reminder to sign in."),
    (30130, None, "Advanced"),
    (30131, None, "Settings for testing and troubleshooting. The defaults suit most users."),
    (30132, None, "Simkl API address"),
    (
        30133,
        None,
        "The address of the Simkl API. Must start with https:// (plain http only for this device).",
    ),
    (30134, None, "Simkl client ID"),
    (
        30135,
        None,
        "Your own Simkl app's client ID. Leave empty to use the one built into the add-on.",
    ),
    (30136, None, "Kodi write batch size"),
    (30137, None, "How many ratings are written to Kodi's library in one request."),
    (30138, None, "Debug logging"),
    (30139, None, "Write detailed messages to the Kodi log. Tokens are never logged."),
    (30140, None, "Sync"),
    (30141, None, "Run a sync or a preview now."),
    (30142, None, "Sync ratings now"),
    (30143, None, "Copies your Simkl ratings to Kodi now, showing progress."),
    (30144, None, "Preview changes"),
    (30145, None, "Shows what a sync would change, without writing anything."),
    (30146, None, "Rebuild from scratch"),
    (
        30147,
        None,
        "Downloads all your Simkl ratings again and checks every library item, "
        "instead of only what changed on Simkl.",
    ),
    (30150, None, "Simkl wins"),
    (30151, None, "Fill empty only"),
    (30152, None, "Keep my Kodi edits"),
    (30153, None, "When Kodi already has a rating"),
    (
        30154,
        None,
        "Simkl wins: Simkl's rating replaces the Kodi rating. Fill empty only: rate "
        "only items without a rating in Kodi. Keep my Kodi edits: replace, unless you "
        "changed the rating in Kodi after the add-on set it. Ratings removed on Simkl "
        "are cleared in Kodi only if the add-on set them and you did not change them.",
    ),
    (30155, None, "Match by title and year when no id matches"),
    (
        30156,
        None,
        "For Simkl items whose ids match nothing in your library: rate the one item "
        "with exactly the same title and year. Off by default; such matches are "
        "listed in the report.",
    ),
    (30157, None, "Rate new items after a library scan"),
    (
        30158,
        None,
        "When Kodi finishes scanning the video library, rate new items from the "
        "ratings already downloaded, without asking Simkl.",
    ),
    (30170, None, "Send ratings I make in Kodi to Simkl"),
    (
        30171,
        None,
        "Two-way sync. Ratings you set, change or clear in Kodi (here, from a remote app or a "
        "skin) are sent to Simkl; rating a title that is not in your Simkl lists adds it there. "
        "When both sides changed, the rule above decides. Ratings only Kodi has when you turn "
        "this on are listed first and sent only after you agree once. Needs a sign-in that "
        "allows changes: you are asked to sign in again if yours does not.",
    ),
    (30172, None, "Look for ratings changed in Kodi every (seconds)"),
    (
        30173,
        None,
        "With two-way sync on: how often the background service compares Kodi's ratings with "
        "the last sync, without asking Simkl. Kodi does not announce rating changes, so this is "
        "how they are found; a change found is sent to Simkl right away.",
    ),
    (30180, None, "On a library shared with other devices"),
    (
        30181,
        None,
        "Several Kodi devices can share one video library (MySQL or MariaDB, set in "
        "advancedsettings.xml). Only one of them should sync it with Simkl, or each would ask "
        "Simkl and write the same ratings. Choose 'This device syncs it' on one device, and "
        "'Another device syncs it' on the others (on all of them when the command-line runner "
        "syncs for the household). Until you choose, a device with a shared library does "
        "nothing. No effect on a library only this device uses.",
    ),
    (30182, None, "Not chosen yet (do nothing)"),
    (30183, None, "This device syncs it"),
    (30184, None, "Another device syncs it"),
    (30159, None, "Wait while a video plays"),
    (30160, None, "Scheduled syncs wait until video playback stops."),
    (30750, None, "Rate while you watch"),
    (
        30751,
        None,
        "When to ask for your rating after playback. Ratings you give go to Kodi's "
        '"My rating" and to Simkl.',
    ),
    (30752, None, "Ask to rate a movie after watching it"),
    (
        30753,
        None,
        "When a movie from your library has played to the end and Kodi marked it watched, a "
        "rating window opens. It never opens in the middle of a playlist or in party mode.",
    ),
    (30754, None, "Ask to rate a TV show or anime"),
    (
        30755,
        None,
        "Simkl rates a show as a whole, not its episodes. Choose after which episode from your "
        "library the rating window opens for the show, or never.",
    ),
    (30756, None, "Never"),
    (30757, None, "After the last episode of a season in my library"),
    (30758, None, "After the last episode of the show in my library"),
    (30759, None, "Ask again when already rated"),
    (
        30760,
        None,
        "Off: the rating window opens only for titles that have no rating yet, in Kodi or on "
        "Simkl. On: it opens every time, with your current rating selected.",
    ),
]
