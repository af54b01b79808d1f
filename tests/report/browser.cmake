# browser.cmake: `mgc report`'s page in headless Chromium.
#   cmake -DMGC=mgc -DCHROMIUM=/usr/bin/chromium -DWORK=dir -P browser.cmake
# Writes two runs (300 and 200 steps; the second's file name needs escaping),
# makes a page, and reads back the DOM after the page's script has run: its
# title says how many series and points it drew, and the legend and curves are
# there.  Then a screenshot, which must not be blank.  Without Chromium it
# prints "report_browser: SKIPPED", which CTest reports as a skip.
if(NOT CHROMIUM OR NOT EXISTS "${CHROMIUM}")
  message("report_browser: SKIPPED: chromium is not installed (apt-get install chromium), so the page was not opened in a browser")
  return()
endif()

file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")

# loss = 3.3 falling to about 2.4, with a wobble; "N.NNN" from integer arithmetic
function(write_run path columns steps extra)
  set(text "${columns}\n")
  foreach(i RANGE 1 ${steps})
    math(EXPR milli "3300 - ${i} * 900 / ${steps} + (${i} * 37 % 11) * 20")
    math(EXPR whole "${milli} / 1000")
    math(EXPR frac "1000 + ${milli} % 1000")
    string(SUBSTRING "${frac}" 1 3 frac)
    string(APPEND text "${i},${whole}.${frac}${extra}\n")
  endforeach()
  file(WRITE "${path}" "${text}")
endfunction()

set(nasty "run <&\"b>")
write_run("${WORK}/alpha.csv" "step,loss,lr,elapsed" 300 ",0.01,0.5")
write_run("${WORK}/${nasty}.csv" "step,loss" 200 "")

function(check_dom page want_title want_paths)
  execute_process(
    COMMAND "${CHROMIUM}" --headless --no-sandbox --disable-gpu --user-data-dir=${WORK}/profile
            --window-size=1000,600 --dump-dom "file://${page}"
    OUTPUT_VARIABLE dom ERROR_VARIABLE err RESULT_VARIABLE rc TIMEOUT 120)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "chromium --dump-dom exited with '${rc}':\n${err}")
  endif()
  string(REGEX MATCH "<title>[^<]*</title>" title "${dom}")
  if(NOT title STREQUAL "<title>${want_title}</title>")
    message(FATAL_ERROR "${page}: wanted the title '${want_title}' (set after drawing), got '${title}'; chromium said:\n${err}")
  endif()
  string(REGEX MATCHALL "<path class=\"series[^>]* d=\"M[0-9.]+ [0-9.]+L[^\"]*\"" paths "${dom}")
  list(LENGTH paths npaths)
  if(NOT npaths EQUAL want_paths)
    message(FATAL_ERROR "${page}: wanted ${want_paths} curves in the SVG, found ${npaths}")
  endif()
  # the name arrives as text (escaped by the serializer), never as markup
  if(NOT dom MATCHES "</span>run &lt;&amp;\"b&gt;</button>" OR NOT dom MATCHES "</span>alpha</button>")
    message(FATAL_ERROR "${page}: the legend does not show both runs' names as text")
  endif()
  message("${page}: ${title}, ${npaths} curves")
endfunction()

foreach(smooth 0 10)
  execute_process(
    COMMAND "${MGC}" report "${WORK}/alpha.csv" "${WORK}/${nasty}.csv" --smooth ${smooth} -o "${WORK}/page${smooth}.html"
    RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "mgc report exited with '${rc}': ${err}")
  endif()
endforeach()
check_dom("${WORK}/page0.html" "mgc-report: 2 series, 500 points drawn" 2)
check_dom("${WORK}/page10.html" "mgc-report: 2 series, 500 points drawn, moving average 10" 4)

# Hover and the legend, driven by a probe script appended to a copy of the page:
# the pointer near step 100 lists both runs' losses there; a click on the second
# legend entry hides it, and the tooltip then lists only the first.
file(READ "${WORK}/page0.html" html)
string(REPLACE "</body>" [[<script>
const box = plot.firstChild.getBoundingClientRect();
const at = step => plot.dispatchEvent(new MouseEvent("mousemove",
  {clientX: box.left + view.X(step), clientY: box.top + view.Y(3), bubbles: true}));
at(100.2); const both = tip.textContent;
document.querySelectorAll("#legend button")[1].click(); const drawn = document.title;
at(100.2); const one = tip.textContent;
document.title = "probe: " + both + " | " + one + " | " + drawn;
</script>
</body>]] html "${html}")
file(WRITE "${WORK}/probe.html" "${html}")
# step 100: alpha's loss is 3.080, the other's 2.930 (see write_run)
check_dom("${WORK}/probe.html"
  "probe: step 100alpha3.08000run &lt;&amp;\"b&gt;2.93000 | step 100alpha3.08000 | mgc-report: 1 series, 300 points drawn" 1)

# The screenshot: a page of curves compresses far worse than a blank one.
file(WRITE "${WORK}/blank.html" "<!DOCTYPE html><title>blank</title>")
foreach(name blank page0)
  file(REMOVE "${WORK}/${name}.png")
  execute_process(
    COMMAND "${CHROMIUM}" --headless --no-sandbox --disable-gpu --user-data-dir=${WORK}/profile --hide-scrollbars
            --screenshot=${WORK}/${name}.png --window-size=1000,600 "file://${WORK}/${name}.html"
    OUTPUT_QUIET ERROR_VARIABLE err RESULT_VARIABLE rc TIMEOUT 120)
  if(NOT rc EQUAL 0 OR NOT EXISTS "${WORK}/${name}.png")
    message(FATAL_ERROR "chromium --screenshot of ${name}.html failed ('${rc}'):\n${err}")
  endif()
  file(SIZE "${WORK}/${name}.png" size_${name})
endforeach()
math(EXPR least "${size_blank} * 4 + 10000")
if(size_page0 LESS least)
  message(FATAL_ERROR "the screenshot ${WORK}/page0.png looks blank: ${size_page0} bytes (a blank page: ${size_blank})")
endif()
message("screenshot ${WORK}/page0.png: ${size_page0} bytes (a blank page: ${size_blank})")

# A log with a validation set (issue 19): val_loss dashed over the loss's axes
# and val_accuracy in its own panel, 10 evaluations each, cells empty between.
set(text "step,loss,lr,elapsed,val_loss,val_accuracy\n")
foreach(i RANGE 1 100)
  math(EXPR tenth "${i} % 10")
  if(tenth EQUAL 0)
    math(EXPR pct "50 + ${i} * 4 / 10")
    string(APPEND text "${i},2.5,0.01,0.5,2.75,0.${pct}\n")
  else()
    string(APPEND text "${i},2.5,0.01,0.5,,\n")
  endif()
endforeach()
file(WRITE "${WORK}/val.csv" "${text}")
execute_process(
  COMMAND "${MGC}" report "${WORK}/alpha.csv" "${WORK}/${nasty}.csv" "${WORK}/val.csv" -o "${WORK}/val.html"
  RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "mgc report exited with '${rc}': ${err}")
endif()
# the three runs' curves, val_loss's and val_accuracy's
check_dom("${WORK}/val.html" "mgc-report: 3 series, 600 points drawn, 20 validation points" 5)
